import { createServer, type Server } from 'node:net'
import type { Duplex } from 'node:stream'
import { MessageChannel, type MessagePort } from 'node:worker_threads'
import { Aedes, type AedesOptions, type AuthenticateError, type Client } from 'aedes'
import { writeToStream } from 'mqtt-packet'
import { errors, hiresEpochMs, memoryConnection, ownedBytes } from '../core/index.js'
import { indexedMemoryPersistence } from './indexed-persistence.js'
import { ShardHost } from './shard-host.js'

export interface EmbeddedBrokerOptions {
  host?: string
  /** 0 picks a free port (what tests use). */
  port?: number
  /** Policy hooks (authenticate, authorizePublish…), as aedes takes them. */
  hooks?: Pick<AedesOptions, 'authenticate' | 'authorizePublish' | 'authorizeSubscribe' | 'preConnect'>
}

export interface BrokerStats {
  clientsConnected: number
  publishesIn: number
}

/** CONNACK return codes (MQTT 3.1.1 §3.2.2.3) the fault controls answer with. */
const SERVER_UNAVAILABLE = 3
const BAD_USERNAME_OR_PASSWORD = 4

/**
 * An aedes broker listening on TCP. Started by a fleet when the fleet file names no external broker;
 * any MQTT client (mosquitto_sub, a backend under test) can connect to it while the fleet runs. It
 * also exposes the controls broker-side faults use: going down and up again, an outage that refuses
 * connections, refusing chosen clients.
 */
export class EmbeddedBroker {
  private publishes = 0
  /** TCP sockets and in-memory streams alike: a restart cuts them all. */
  private readonly sockets = new Set<Duplex>()
  private readonly clients = new Map<string, Client>()
  private readonly rejected = new Set<string>()
  private outage = false
  private boundPort = 0
  private listening = false
  private readonly publishListeners: ((topic: string, payload: Buffer, clientId: string, atHiresMs: number) => void)[] = []
  private shards: ShardHost | undefined
  private shardListener: ((shard: number, items: unknown[]) => void) | undefined

  private constructor(
    readonly aedes: Aedes,
    private readonly server: Server,
    readonly host: string,
  ) {
    aedes.on('publish', (packet, client) => {
      if (!client) return
      this.publishes++
      for (const l of this.publishListeners) l(packet.topic, packet.payload as Buffer, client.id, hiresEpochMs())
    })
    aedes.on('client', (client) => this.clients.set(client.id, client))
    aedes.on('clientDisconnect', (client) => {
      if (this.clients.get(client.id) === client) this.clients.delete(client.id)
    })
    server.on('connection', (socket) => {
      this.sockets.add(socket)
      socket.once('close', () => this.sockets.delete(socket))
      aedes.handle(socket)
    })
  }

  /**
   * Called for every message a client publishes, as the broker routes it to subscribers: the
   * delivery probe's tap inside the broker path (no subscriber client, no extra socket).
   */
  onClientPublish(listener: (topic: string, payload: Buffer, clientId: string, atHiresMs: number) => void): void {
    this.publishListeners.push(listener)
  }

  static async start(opts: EmbeddedBrokerOptions = {}): Promise<EmbeddedBroker> {
    // mqtt-packet (aedes' writer) builds, at the first packet a thread writes, a cache of all 65,536
    // two-byte packet ids as Buffers: 6.4 MB of heap in every thread that runs a broker. Without it a
    // packet id is a 2-byte slice of Node's buffer pool, made as it is written. (MqttLink turns it off
    // on the devices' side through MQTT.js's `writeCache` option, which sets this same switch.)
    writeToStream.cacheNumbers = false
    const host = opts.host ?? '127.0.0.1'
    const requested = opts.port ?? 1883
    // The authenticate hook must exist when aedes is made, before the broker object that holds the
    // fault state does: it reads that state through this holder.
    const holder: { broker?: EmbeddedBroker } = {}
    const userAuth = opts.hooks?.authenticate
    const userPreConnect = opts.hooks?.preConnect
    const aedes = await Aedes.createBroker({
      ...opts.hooks,
      persistence: indexedMemoryPersistence(),
      // aedes keeps each session's CONNECT packet (its parser's settings) and will as parsed: views of
      // the chunk they came in, which for a client over an in-memory link is a slice of Node's shared
      // 8 KB pool. A will's payload (and a password) in bytes of their own keeps a session from holding
      // a whole pool slab — ~3.8 KB a device after a reconnect wave (heap snapshots, 2,000 soak devices).
      preConnect: (client, packet, done) => {
        if (packet.will?.payload) packet.will.payload = ownedBytes(packet.will.payload)
        if (packet.password) packet.password = ownedBytes(packet.password)
        if (userPreConnect) return userPreConnect(client, packet, done)
        done(null, true)
      },
      authenticate: (client, username, password, done) => {
        const code = holder.broker?.refusal(client.id)
        if (code !== undefined) {
          const err = new Error(code === SERVER_UNAVAILABLE ? 'server unavailable (fault)' : 'bad credentials (fault)') as AuthenticateError
          err.returnCode = code
          return done(err, null)
        }
        if (userAuth) return userAuth(client, username, password, done)
        done(null, true)
      },
    })
    // noDelay: deliveries go out as they are routed, not held by Nagle for a delayed ACK (~40 ms).
    const server = createServer({ noDelay: true })
    const self = (holder.broker = new EmbeddedBroker(aedes, server, host))
    try {
      await self.listen(requested)
    } catch (e) {
      await new Promise<void>((resolve) => aedes.close(() => resolve()))
      throw errors.brokerListen(host, requested, e)
    }
    return self
  }

  get port(): number {
    return this.boundPort
  }

  get url(): string {
    const host = this.host.includes(':') ? `[${this.host}]` : this.host
    return `mqtt://${host}:${this.port}`
  }

  stats(): BrokerStats {
    return { clientsConnected: this.aedes.connectedClients, publishesIn: this.publishes }
  }

  /** False while the broker is down (a restart or a crash fault): connections are refused. */
  get accepting(): boolean {
    return this.listening
  }

  /** A new in-memory connection into the broker (what an MQTT client takes as its stream), as `BrokerThread.connect()`. */
  connect(): Duplex {
    return memoryConnection((server) => this.acceptStream(server))
  }

  /**
   * Takes a connection that did not come through the listener: one end of an in-memory pipe from a
   * device in the same process. While the broker is down it is refused (closed at once), as TCP
   * connects are.
   */
  acceptStream(stream: Duplex): void {
    if (!this.listening) {
      stream.destroy()
      return
    }
    this.sockets.add(stream)
    stream.once('close', () => this.sockets.delete(stream))
    this.aedes.handle(stream)
  }

  /** Stops listening and drops every connection at once, as a crashed broker process would. */
  async goDown(): Promise<void> {
    if (!this.listening) return
    this.listening = false
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()))
    for (const s of this.sockets) s.destroy()
    await closed
  }

  /** Listens again on the same host and port. */
  async comeUp(): Promise<void> {
    if (!this.listening) await this.listen(this.boundPort)
  }

  /** While on, every session is closed and new ones are refused with "server unavailable". */
  setOutage(on: boolean): void {
    this.outage = on
    if (on) for (const c of [...this.clients.values()]) c.close()
  }

  /** While on, this client id is refused with "bad user name or password". */
  rejectClient(clientId: string, on: boolean): void {
    if (on) this.rejected.add(clientId)
    else this.rejected.delete(clientId)
  }

  /** Closes one client's session from the broker side. */
  disconnectClient(clientId: string): void {
    this.clients.get(clientId)?.close()
  }

  /**
   * A channel for a device shard in a worker thread (transfer it there), served on this thread: the
   * shard's own multiplexed connections and broker controls, and a path for its events
   * (`onShardEvents`), as `BrokerThread.shardPort` gives, without a thread between the devices and
   * the fleet's measurements.
   */
  shardPort(shard: number): MessagePort {
    const { port1, port2 } = new MessageChannel()
    this.shards ??= new ShardHost(this, (s, items) => this.shardListener?.(s, items))
    this.shards.attach(shard, port1)
    return port2
  }

  /** Events device shards sent through their `shardPort`, each batch ahead of the bytes that followed it. */
  onShardEvents(listener: (shard: number, items: unknown[]) => void): void {
    this.shardListener = listener
  }

  /** Closes every client connection and the listener. */
  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.aedes.close(() => resolve()))
    for (const s of this.sockets) s.destroy()
    if (this.listening) await new Promise<void>((resolve) => this.server.close(() => resolve()))
    this.listening = false
    this.shards?.flush()
  }

  private refusal(clientId: string): number | undefined {
    if (this.outage) return SERVER_UNAVAILABLE
    if (this.rejected.has(clientId)) return BAD_USERNAME_OR_PASSWORD
    return undefined
  }

  private async listen(port: number): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject)
      this.server.listen(port, this.host, () => {
        this.server.off('error', reject)
        resolve()
      })
    })
    const address = this.server.address()
    this.boundPort = typeof address === 'object' && address ? address.port : port
    this.listening = true
  }
}
