import { Duplex } from 'node:stream'
import type { Clock, TimerHandle } from '../core/index.js'
import { isShaped, packetDelayMs, type LinkShaping } from './shaping.js'

const PUBACK = 4
const PUBREC = 5

/** One direction of a shaped path: a FIFO of items released on the clock. */
export class Lane<T = Buffer> {
  private readonly queue: { chunk: T; sentAt: number; releaseAt?: number }[] = []
  private lastReleaseAt = 0
  private timer: TimerHandle | undefined
  private paused = false
  /** When the last pause ended: what it held is (re)sent from then. */
  private resumedAt = -Infinity

  constructor(
    private readonly clock: Clock,
    private readonly shaping: () => LinkShaping,
    private readonly random: () => number,
    private readonly out: (chunk: T) => void,
    private readonly size: (chunk: T) => number = (c) => (c as unknown as Buffer).length,
  ) {}

  /** Items held, waiting for the clock or the end of a pause. */
  get length(): number {
    return this.queue.length
  }

  push(chunk: T): void {
    if (this.queue.length === 0 && !isShaped(this.shaping())) return this.out(chunk)
    this.queue.push({ chunk, sentAt: this.clock.now() })
    this.pump()
  }

  /** Releases what is due; re-arms a timer for the rest. Called on every push and shaping change. */
  pump(): void {
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer)
    this.timer = undefined
    const s = this.shaping()
    const now = this.clock.now()
    if (s.paused) {
      this.paused = true
      return
    }
    if (this.paused) {
      this.paused = false
      this.resumedAt = now
    }
    while (this.queue.length > 0) {
      const head = this.queue[0]!
      if (head.releaseAt === undefined) {
        const delay = packetDelayMs(s, this.random)
        const transmit = s.bandwidthBps ? (this.size(head.chunk) * 1000) / s.bandwidthBps : 0
        // Delayed from when it was sent (or its pause ended), not from when the chunk before it arrived:
        // latency is a delay, not a limit of one chunk in flight.
        head.releaseAt = Math.max(this.lastReleaseAt, Math.max(head.sentAt, this.resumedAt) + delay) + transmit
        this.lastReleaseAt = head.releaseAt
      }
      if (head.releaseAt > now) {
        this.timer = this.clock.setTimeout(() => this.pump(), head.releaseAt - now)
        return
      }
      this.queue.shift()
      this.out(head.chunk)
    }
  }

  clear(): void {
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer)
    this.timer = undefined
    this.queue.length = 0
  }
}

/**
 * A duplex between MQTT.js and its socket that applies the device's network conditions: latency,
 * jitter and bandwidth in both directions, pauses (stalls and partitions hold everything), and lost
 * acknowledgements. Whole writes are held, never cut, so MQTT framing survives; incoming bytes are
 * framed into packets so PUBACKs can be dropped one by one.
 */
export class ShapedStream extends Duplex {
  private readonly up: Lane<Buffer>
  private readonly down: Lane<Buffer>
  private incoming: Buffer = Buffer.alloc(0)

  constructor(
    private readonly inner: Duplex,
    clock: Clock,
    private readonly shaping: () => LinkShaping,
    random: () => number,
  ) {
    super()
    this.up = new Lane(clock, shaping, random, (c) => inner.write(c))
    this.down = new Lane(clock, shaping, random, (c) => this.push(c))
    inner.on('data', (chunk: Buffer) => this.frame(chunk))
    inner.on('end', () => this.push(null))
    inner.on('error', (e) => this.destroy(e))
    inner.on('close', () => this.destroy())
    inner.on('connect', () => this.emit('connect'))
  }

  /** Call when the shaping changes, so held packets move (or stop) at once. */
  reshape(): void {
    this.up.pump()
    this.down.pump()
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (e?: Error | null) => void): void {
    this.up.push(chunk)
    cb()
  }

  override _read(): void {}

  override _final(cb: (e?: Error | null) => void): void {
    this.inner.end()
    cb()
  }

  override _destroy(err: Error | null, cb: (e?: Error | null) => void): void {
    this.up.clear()
    this.down.clear()
    this.inner.destroy()
    cb(err)
  }

  /** Splits incoming bytes into whole MQTT packets (fixed header + remaining length). */
  private frame(chunk: Buffer): void {
    this.incoming = this.incoming.length === 0 ? chunk : Buffer.concat([this.incoming, chunk])
    for (;;) {
      const b = this.incoming
      if (b.length < 2) return
      let length = 0
      let multiplier = 1
      let i = 1
      for (;;) {
        if (i >= b.length) return // remaining-length bytes not all here yet
        const byte = b[i++]!
        length += (byte & 0x7f) * multiplier
        multiplier *= 128
        if ((byte & 0x80) === 0) break
        if (i > 4) {
          this.destroy(new Error('malformed MQTT remaining length from broker'))
          return
        }
      }
      if (b.length < i + length) return
      const packet = b.subarray(0, i + length)
      this.incoming = b.subarray(i + length)
      const type = packet[0]! >> 4
      if (this.shaping().dropAcks && (type === PUBACK || type === PUBREC)) continue
      this.down.push(packet)
    }
  }
}
