import { connect as tcpConnect } from 'node:net'
import mqtt, { MqttClient, type IClientOptions, type IStream } from 'mqtt'
import { ownedBytes, type Clock } from '../core/index.js'
import { ShapedStream } from './shaped-stream.js'
import { streamPipe, type PipeConnector } from './memory-pipe.js'
import type { LinkShaping } from './shaping.js'
import { ResendingStore, SmallMessageIds } from './resending-store.js'
import { resolveWill, type CloseReason, type ConnectFailure, type DeviceLink, type LinkListener, type LinkOptions, type PublishOptions } from './device-link.js'

/**
 * DeviceLink over MQTT.js (TCP, TLS or WebSocket, from the URL). Reconnection is the device's job
 * (its connectivity machine owns backoff), so MQTT.js's own reconnect is off and each attempt uses a
 * fresh client.
 */
export class MqttLink implements DeviceLink {
  private client: MqttClient | undefined
  private attempt = 0
  private up = false
  private networkDown = false
  /** Why the live session is closing, when we caused it; otherwise the broker closed it. */
  private closeCause: CloseReason | undefined
  private bytes = 0
  private lost = 0
  private shaping: LinkShaping = {}
  private pendingSubscriptions: { client: MqttClient; topics: Record<string, { qos: 0 | 1 }> } | undefined
  private readonly random: () => number
  /** The will payload last given, and the bytes made of it (a text will is the same at every attempt). */
  private willSource: string | Buffer | undefined
  private willBytes: Buffer | undefined
  /** The link's conditions now, for its stream (one function for every client the link makes). */
  private readonly shapingNow = (): LinkShaping => this.shaping
  /**
   * Unacknowledged QoS 1 publishes survive the client: MQTT.js resends what is in its outgoing store
   * on every connect, so a device that reconnects retries them, as real devices do.
   */
  private readonly outgoingStore = new ResendingStore({ clean: false })
  /**
   * QoS 2 arrivals (none: devices subscribe at QoS ≤ 1, but a broker may still send one). One per
   * link, with MQTT.js's Map made into a plain array: MQTT.js would make a Store per client, a Map each.
   * Not `clean`: a clean store empties itself for good when its client ends, and the link's next
   * client takes it over.
   */
  private readonly incomingStore = new ResendingStore({ clean: false })
  /**
   * After a burst (the offline buffer sent on reconnect) MQTT.js's table of pending acknowledgements
   * keeps the room it grew to — ~550 B per device a fault knocked off, until its next reconnect. Once
   * it is empty again it is swapped for a fresh one (`outgoing` is a public field of MqttClient).
   */
  private readonly messageIds = new SmallMessageIds(this.outgoingStore, () => {
    const client = this.client
    if (client && isEmpty(client.outgoing)) client.outgoing = {}
  })

  constructor(
    private readonly opts: LinkOptions,
    private readonly listener: LinkListener,
    private readonly clock: Clock,
    /** Where the bytes go instead of a TCP socket to the URL (in-memory links into the embedded broker). */
    private readonly connector?: PipeConnector,
  ) {
    this.random = opts.random ?? (() => 0.5)
  }

  get publishesLost(): number {
    return this.lost
  }

  setShaping(shaping: LinkShaping): void {
    this.shaping = shaping
    const stream: unknown = this.client?.stream
    if (stream instanceof ShapedStream) stream.reshape()
  }

  get connected(): boolean {
    return this.up
  }

  get bytesPublished(): number {
    return this.bytes
  }

  connect(): void {
    // A new attempt abandons whatever session there was (a bounce drops it first).
    this.up = false
    this.closeCause = undefined
    this.disposeClient()
    const attempt = ++this.attempt
    // Every attempt takes its will now, whether or not a CONNECT gets out (as a device's stack does).
    const will = resolveWill(this.opts.will)
    // No route to the broker, or a broker in this process that is down (over TCP: a refused connect):
    // fail as a real stack would, asynchronously — and without a client, which a device retrying
    // through a broker restart would otherwise make and drop several times (~7 KB of garbage each).
    const refusal = this.networkDown ? 'network down' : this.connector?.refusing?.() ? 'connection refused' : undefined
    if (refusal) {
      this.clock.setTimeout(() => {
        if (attempt === this.attempt) this.listener.onConnectFailed({ reason: 'unreachable', message: refusal })
      }, 0)
      return
    }
    const o = this.opts
    const options: IClientOptions = {
      clientId: o.clientId,
      keepalive: o.keepaliveSec,
      connectTimeout: o.connectTimeoutMs,
      reconnectPeriod: 0,
      clean: o.clean,
      protocolVersion: o.protocolVersion,
      username: o.username,
      password: o.password,
      will: will ? { topic: will.topic, payload: this.willPayload(will.payload), qos: will.qos, retain: will.retain } : undefined,
      resubscribe: false,
      // By default MQTT.js re-arms its keep-alive timer on every packet it receives: with a PUBACK a
      // second per device that is a new 30 s timer and closure a second, each outliving the young
      // generation. Pinging every keep-alive interval regardless is what small stacks do anyway.
      reschedulePings: false,
      outgoingStore: this.outgoingStore,
      incomingStore: this.incomingStore,
      messageIdProvider: this.messageIds,
      // MQTT.js logs through `debug` on every packet; even switched off that costs several percent
      // of CPU at fleet scale, so each client gets a no-op logger.
      log: noLog,
      // No cache of all 65,536 packet ids in this thread (6.4 MB of heap; see EmbeddedBroker.start,
      // which turns the same mqtt-packet switch off for aedes).
      writeCache: false,
    }
    const client = this.createClient(o.url, options)
    this.client = client
    let settled = false
    const fail = (failure: ConnectFailure) => {
      if (settled || attempt !== this.attempt) return
      settled = true
      this.disposeClient()
      this.listener.onConnectFailed(failure)
    }
    client.on('connect', () => {
      if (attempt !== this.attempt) return
      settled = true
      this.up = true
      this.listener.onConnected()
    })
    client.on('error', (err: Error & { code?: number | string }) => {
      if (!settled) {
        if (typeof err.code === 'number') fail({ reason: 'refused', returnCode: err.code, message: err.message })
        else fail({ reason: 'unreachable', message: err.message })
      }
    })
    client.on('close', () => {
      if (attempt !== this.attempt) return
      if (!settled) return fail({ reason: 'timeout', message: 'closed before CONNACK' })
      if (this.up) {
        this.up = false
        const reason = this.closeCause ?? 'broker-closed'
        this.closeCause = undefined
        this.disposeClient()
        this.listener.onClosed(reason)
      }
    })
    client.on('message', (topic, payload) => {
      if (attempt === this.attempt) this.listener.onMessage(topic, payload)
    })
  }

  /**
   * The will's payload as the client keeps it for its whole session: bytes of their own, not a slice
   * of Node's 8 KB pool (a 7-byte `offline` would keep the whole slab while the client lives). Made
   * again only when the payload is a new one.
   */
  private willPayload(payload: Buffer | string): Buffer {
    if (this.willSource !== payload || this.willBytes === undefined) {
      this.willSource = payload
      this.willBytes = ownedBytes(payload)
    }
    return this.willBytes
  }

  /**
   * Plain TCP goes through a ShapedStream so network faults can shape it; other schemes (TLS,
   * WebSocket) connect directly and only get publish loss.
   */
  private createClient(url: string, options: IClientOptions): MqttClient {
    const connector = this.connector
    if (connector) return new MqttClient(() => asMqttStream(new ShapedStream(connector, this.clock, this.shapingNow, this.random)), options)
    const u = new URL(url)
    if (u.protocol !== 'mqtt:' && u.protocol !== 'tcp:') return mqtt.connect(url, options)
    const host = u.hostname.replace(/^\[|\]$/g, '')
    const port = Number(u.port || 1883)
    // noDelay: Nagle's algorithm would hold small MQTT packets for the peer's delayed ACK (~40 ms on
    // loopback), and that would be the emulator's latency, not the network's. Embedded devices send
    // each packet as it is made; latency is added on purpose by shaping faults only.
    return new MqttClient(() => asMqttStream(new ShapedStream((listener) => streamPipe(tcpConnect({ host, port, noDelay: true }), listener), this.clock, this.shapingNow, this.random)), options)
  }

  publish(topic: string, payload: Buffer | string, opts: PublishOptions, onFlushed?: () => void): boolean {
    const client = this.client
    if (!client || !this.up) return false
    if (this.shaping.lossRate && this.random() < this.shaping.lossRate) {
      this.lost++
      onFlushed?.()
      return true // the device sent it; the network lost it
    }
    this.bytes += typeof payload === 'string' ? Buffer.byteLength(payload) : payload.length
    const properties = opts.userProperties && client.options.protocolVersion === 5 ? { userProperties: opts.userProperties } : undefined
    client.publish(topic, payload, { qos: opts.qos, retain: opts.retain ?? false, properties }, onFlushed && (() => onFlushed()))
    return true
  }

  subscribe(topic: string, qos: 0 | 1): void {
    const client = this.client
    if (!client) return
    // Subscriptions made in one turn (a device subscribes to commands and shadow as it comes online)
    // go out as one SUBSCRIBE: half the packets, acks and broker work in a connect storm.
    const batch = this.pendingSubscriptions
    if (batch && batch.client === client) {
      batch.topics[topic] = { qos }
      return
    }
    const next = { client, topics: { [topic]: { qos } } as Record<string, { qos: 0 | 1 }> }
    this.pendingSubscriptions = next
    queueMicrotask(() => {
      if (this.pendingSubscriptions === next) this.pendingSubscriptions = undefined
      if (this.client === client) client.subscribe(next.topics)
    })
  }

  async end(): Promise<void> {
    const client = this.client
    this.attempt++
    this.up = false
    this.client = undefined
    if (client) await client.endAsync().catch(() => undefined)
  }

  drop(): void {
    const client = this.client
    if (!client) return
    if (this.up) this.closeCause ??= 'dropped'
    // Destroying the socket without DISCONNECT is what makes the broker publish the last will.
    client.stream?.destroy()
    if (this.client === client && !this.up) this.disposeClient()
  }

  setNetworkDown(down: boolean): void {
    this.networkDown = down
    if (down && this.client) {
      if (this.up) {
        this.closeCause = 'network-down'
        this.drop()
      }
      else {
        // A connect in flight: it fails as unreachable, as on a dead network — the device waits for an outcome.
        const attempt = ++this.attempt
        this.disposeClient()
        this.clock.setTimeout(() => {
          if (attempt === this.attempt) this.listener.onConnectFailed({ reason: 'unreachable', message: 'network down' })
        }, 0)
      }
    }
  }

  private disposeClient(): void {
    const client = this.client
    this.client = undefined
    if (client) {
      client.removeAllListeners('connect')
      client.removeAllListeners('message')
      client.on('error', () => undefined)
      client.end(true)
    }
  }
}

const noLog = () => undefined

function isEmpty(o: object): boolean {
  for (const _ in o) return false
  return true
}

export function mqttLinkFactory(clock: Clock, connector?: PipeConnector) {
  return (opts: LinkOptions, listener: LinkListener): DeviceLink => new MqttLink(opts, listener, clock, connector)
}

/**
 * Checks that a broker answers at all (TCP + CONNACK) before a fleet sends devices at it. A refusal
 * by CONNACK counts as reachable: devices may have credentials the probe does not.
 */
export async function probeBroker(url: string, opts: { username?: string; password?: string; timeoutMs?: number } = {}): Promise<{ ok: true } | { ok: false; message: string }> {
  const timeoutMs = opts.timeoutMs ?? 5_000
  return new Promise((resolve) => {
    const client = mqtt.connect(url, { clientId: `fleet-emu-probe-${process.pid}`, username: opts.username, password: opts.password, reconnectPeriod: 0, connectTimeout: timeoutMs })
    const done = (r: { ok: true } | { ok: false; message: string }) => {
      client.removeAllListeners()
      client.on('error', () => undefined)
      client.end(true)
      resolve(r)
    }
    client.once('connect', () => done({ ok: true }))
    client.once('error', (e: Error & { code?: number | string }) => done(typeof e.code === 'number' ? { ok: true } : { ok: false, message: e.message }))
    client.once('close', () => done({ ok: false, message: `no CONNACK within ${timeoutMs} ms` }))
  })
}

/**
 * MQTT.js types its stream as a Node Duplex; a ShapedStream has only the part of one MQTT.js and
 * mqtt-packet use (shaped-stream.ts says which), so it is handed over as one.
 */
function asMqttStream(stream: ShapedStream): IStream {
  return stream as unknown as IStream
}
