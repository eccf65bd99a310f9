import type { Clock, TimerHandle } from '../core/index.js'
import { resolveWill, type DeviceLink, type LinkListener, type LinkOptions, type LinkWill, type PublishOptions } from './device-link.js'
import { Lane } from './shaped-stream.js'
import { isShaped, type LinkShaping } from './shaping.js'

/** Receives what in-process links publish (virtual-time runs: dataset writers, captures). */
export type InProcessSink = (clientId: string, topic: string, payload: Buffer | string, opts: PublishOptions) => void

/**
 * A link with no socket: connects on the next clock tick (unless the network is down), and hands every
 * publish to a sink. This is the transport of virtual-time runs, where devices run as fast as the CPU
 * allows and telemetry goes to writers instead of a broker. Network faults behave as on a real link.
 */
export class InProcessLink implements DeviceLink {
  readonly readsPayloads: boolean
  private up = false
  private attempt = 0
  private networkDown = false
  private bytes = 0
  private lost = 0
  private shaping: LinkShaping = {}
  private readonly random: () => number
  private readonly lane: Lane<{ topic: string; payload: Buffer | string; opts: PublishOptions; session: number; onFlushed?: () => void }>
  private stallTimer: TimerHandle | undefined
  /** The will of the last CONNECT (what the broker would publish if this session dies). */
  private will: LinkWill | undefined

  constructor(
    private readonly opts: LinkOptions,
    private readonly listener: LinkListener,
    private readonly clock: Clock,
    private readonly sink: InProcessSink,
    linkOpts: InProcessLinkOptions = {},
  ) {
    this.readsPayloads = linkOpts.readsPayloads ?? true
    this.random = opts.random ?? (() => 0.5)
    this.lane = new Lane(
      clock,
      () => this.shaping,
      this.random,
      // A publish held by the network arrives only if its session is still the live one; it is flushed
      // (onFlushed) once it arrived or its session died, as on a real link.
      (m) => {
        if (m.session === this.attempt && this.up) this.sink(this.opts.clientId, m.topic, m.payload, m.opts)
        m.onFlushed?.()
      },
      (m) => (typeof m.payload === 'string' ? Buffer.byteLength(m.payload) : m.payload.length),
    )
  }

  get publishesLost(): number {
    return this.lost
  }

  /**
   * Same conditions as a shaped TCP link. There is no broker here, so a paused session is closed
   * where a broker would close it: after 1.5 × keep-alive, with the last will.
   */
  setShaping(shaping: LinkShaping): void {
    this.shaping = shaping
    this.lane.pump()
    if (shaping.paused && this.up && this.stallTimer === undefined) {
      const session = this.attempt
      this.stallTimer = this.clock.setTimeout(() => {
        this.stallTimer = undefined
        if (session === this.attempt && this.up && this.shaping.paused) this.closeWithWill('broker-closed')
      }, 1.5 * this.opts.keepaliveSec * 1000)
    } else if (!shaping.paused && this.stallTimer !== undefined) {
      this.clock.clearTimeout(this.stallTimer)
      this.stallTimer = undefined
    }
  }

  get connected(): boolean {
    return this.up
  }

  get bytesPublished(): number {
    return this.bytes
  }

  /** What publish() would do with an unread telemetry message now: hand it straight to the sink, which drops it. */
  get sendsUnread(): boolean {
    return !this.readsPayloads && this.up && !this.shaping.lossRate && this.lane.length === 0 && !isShaped(this.shaping)
  }

  connect(): void {
    const attempt = ++this.attempt
    this.will = resolveWill(this.opts.will)
    // Through a paused path the CONNECT never arrives: the attempt times out.
    const paused = Boolean(this.shaping.paused)
    this.clock.setTimeout(() => {
      if (attempt !== this.attempt) return
      if (this.networkDown) return this.listener.onConnectFailed({ reason: 'unreachable', message: 'network down' })
      if (paused && this.shaping.paused) return this.listener.onConnectFailed({ reason: 'timeout', message: 'no CONNACK (network paused)' })
      this.up = true
      this.listener.onConnected()
    }, paused ? this.opts.connectTimeoutMs : 0)
  }

  publish(topic: string, payload: Buffer | string, opts: PublishOptions, onFlushed?: () => void): boolean {
    if (!this.up) return false
    if (this.shaping.lossRate && this.random() < this.shaping.lossRate) {
      this.lost++
      onFlushed?.()
      return true // the device sent it; the network lost it
    }
    this.bytes += typeof payload === 'string' ? Buffer.byteLength(payload) : payload.length
    // Nothing held and nothing shaping the path: straight to the sink (what the lane would do, without
    // an envelope per publish: a dataset publishes millions).
    if (this.lane.length === 0 && !isShaped(this.shaping)) {
      this.sink(this.opts.clientId, topic, payload, opts)
      onFlushed?.()
    } else this.lane.push({ topic, payload, opts, session: this.attempt, onFlushed })
    return true
  }

  subscribe(): void {}

  async end(): Promise<void> {
    this.attempt++
    this.up = false
  }

  drop(): void {
    if (!this.up) {
      this.attempt++
      return
    }
    this.closeWithWill('dropped')
  }

  setNetworkDown(down: boolean): void {
    this.networkDown = down
    // A connect in flight re-checks the network when it completes, so it fails as it should.
    if (down && this.up) this.closeWithWill('network-down')
  }

  private closeWithWill(reason: 'dropped' | 'network-down' | 'broker-closed'): void {
    this.attempt++
    this.up = false
    const will = this.will
    if (will) this.sink(this.opts.clientId, will.topic, will.payload, { qos: will.qos, retain: will.retain })
    this.listener.onClosed(reason)
  }
}

export interface InProcessLinkOptions {
  /**
   * Whether the sink reads payload bytes (default true). With false, devices skip encoding their
   * telemetry (see DeviceLink.readsPayloads); payloads a fault rewrites (malformed, schema drift)
   * are still built, by the fault. With false the sink must also ignore telemetry publishes: while
   * nothing shapes the link, devices do not hand it their telemetry at all (DeviceLink.sendsUnread).
   */
  readsPayloads?: boolean
}

export function inProcessLinkFactory(clock: Clock, sink: InProcessSink, linkOpts: InProcessLinkOptions = {}) {
  return (opts: LinkOptions, listener: LinkListener): DeviceLink => new InProcessLink(opts, listener, clock, sink, linkOpts)
}
