import type { Clock } from '../core/index.js'
import type { DeviceLink, LinkListener, LinkOptions, PublishOptions } from './device-link.js'

/** Receives what in-process links publish (virtual-time runs: dataset writers, captures). */
export type InProcessSink = (clientId: string, topic: string, payload: Buffer | string, opts: PublishOptions) => void

/**
 * A link with no socket: connects on the next clock tick (unless the network is down), and hands every
 * publish to a sink. This is the transport of virtual-time runs, where devices run as fast as the CPU
 * allows and telemetry goes to writers instead of a broker. Network faults behave as on a real link.
 */
export class InProcessLink implements DeviceLink {
  private up = false
  private attempt = 0
  private networkDown = false
  private bytes = 0

  constructor(
    private readonly opts: LinkOptions,
    private readonly listener: LinkListener,
    private readonly clock: Clock,
    private readonly sink: InProcessSink,
  ) {}

  get connected(): boolean {
    return this.up
  }

  get bytesPublished(): number {
    return this.bytes
  }

  connect(): void {
    const attempt = ++this.attempt
    this.clock.setTimeout(() => {
      if (attempt !== this.attempt) return
      if (this.networkDown) return this.listener.onConnectFailed({ reason: 'unreachable', message: 'network down' })
      this.up = true
      this.listener.onConnected()
    }, 0)
  }

  publish(topic: string, payload: Buffer | string, opts: PublishOptions, onFlushed?: () => void): boolean {
    if (!this.up) return false
    this.bytes += typeof payload === 'string' ? Buffer.byteLength(payload) : payload.length
    this.sink(this.opts.clientId, topic, payload, opts)
    onFlushed?.()
    return true
  }

  subscribe(): void {}

  async end(): Promise<void> {
    this.attempt++
    this.up = false
  }

  drop(): void {
    this.attempt++
    if (!this.up) return
    this.up = false
    if (this.opts.will) this.sink(this.opts.clientId, this.opts.will.topic, this.opts.will.payload, { qos: this.opts.will.qos, retain: this.opts.will.retain })
    this.listener.onClosed('dropped')
  }

  setNetworkDown(down: boolean): void {
    this.networkDown = down
    // A connect in flight re-checks the network when it completes, so it fails as it should.
    if (down && this.up) {
      this.attempt++
      this.up = false
      if (this.opts.will) this.sink(this.opts.clientId, this.opts.will.topic, this.opts.will.payload, { qos: this.opts.will.qos, retain: this.opts.will.retain })
      this.listener.onClosed('network-down')
    }
  }
}

export function inProcessLinkFactory(clock: Clock, sink: InProcessSink) {
  return (opts: LinkOptions, listener: LinkListener): DeviceLink => new InProcessLink(opts, listener, clock, sink)
}
