import { Duplex } from 'node:stream'
import type { Clock, TimerHandle } from '../core/index.js'
import type { BytePipe, BytePipeListener, PipeConnector } from './memory-pipe.js'
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
 * The stream MQTT.js talks over: a duplex on a byte pipe (a socket, or an in-memory end into the
 * embedded broker) that applies the device's network conditions — latency, jitter and bandwidth in
 * both directions, pauses (stalls and partitions hold everything), and lost acknowledgements. Whole
 * writes are held, never cut, so MQTT framing survives; incoming bytes are framed into packets so
 * PUBACKs can be dropped one by one. The lanes are made when shaping first holds something: an
 * unshaped link writes straight to its pipe.
 */
export class ShapedStream extends Duplex implements BytePipeListener {
  private up: Lane<Buffer> | undefined
  private down: Lane<Buffer> | undefined
  /** Bytes of a packet not yet whole (split across chunks). */
  private incoming: Buffer | undefined
  private readonly wire: BytePipe

  constructor(
    connect: PipeConnector,
    private readonly clock: Clock,
    private readonly shaping: () => LinkShaping,
    private readonly random: () => number,
  ) {
    super()
    this.wire = connect(this)
  }

  /** Call when the shaping changes, so held packets move (or stop) at once. */
  reshape(): void {
    this.up?.pump()
    this.down?.pump()
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (e?: Error | null) => void): void {
    this.send(chunk)
    cb()
  }

  /**
   * What MQTT.js wrote in one turn, at once: mqtt-packet corks the stream and writes a packet as five
   * or six pieces (header, length, topic, id, payload), so a packet, or the packets of a turn, go on
   * as one chunk — one piece for the pipe, the broker's side and its parser instead of a handful.
   */
  override _writev(chunks: { chunk: Buffer }[], cb: (e?: Error | null) => void): void {
    this.send(joinChunks(chunks))
    cb()
  }

  private send(chunk: Buffer): void {
    if (this.up === undefined && !isShaped(this.shaping())) this.wire.write(chunk)
    else (this.up ??= new Lane(this.clock, this.shaping, this.random, (c) => this.wire.write(c))).push(chunk)
  }

  override _read(): void {}

  override _final(cb: (e?: Error | null) => void): void {
    this.wire.end()
    cb()
  }

  override _destroy(err: Error | null, cb: (e?: Error | null) => void): void {
    this.up?.clear()
    this.down?.clear()
    this.wire.destroy()
    cb(err)
  }

  onPipeData(chunk: Buffer): void {
    this.frame(chunk)
  }

  onPipeEnd(): void {
    this.push(null)
  }

  onPipeError(error: Error): void {
    this.destroy(error)
  }

  onPipeClose(): void {
    this.destroy()
  }

  onPipeConnect(): void {
    this.emit('connect')
  }

  private deliver(packet: Buffer): void {
    if (this.down === undefined && !isShaped(this.shaping())) this.push(packet)
    else (this.down ??= new Lane(this.clock, this.shaping, this.random, (c) => this.push(c))).push(packet)
  }

  /** Splits incoming bytes into whole MQTT packets (fixed header + remaining length). */
  private frame(chunk: Buffer): void {
    let b = this.incoming === undefined ? chunk : Buffer.concat([this.incoming, chunk])
    this.incoming = undefined
    for (;;) {
      if (b.length === 0) return
      if (b.length < 2) break
      let length = 0
      let multiplier = 1
      let i = 1
      let complete = false
      for (;;) {
        if (i >= b.length) break // remaining-length bytes not all here yet
        const byte = b[i++]!
        length += (byte & 0x7f) * multiplier
        multiplier *= 128
        if ((byte & 0x80) === 0) {
          complete = true
          break
        }
        if (i > 4) {
          this.destroy(new Error('malformed MQTT remaining length from broker'))
          return
        }
      }
      if (!complete || b.length < i + length) break
      const end = i + length
      const packet = end === b.length ? b : b.subarray(0, end)
      b = end === b.length ? EMPTY : b.subarray(end)
      const type = packet[0]! >> 4
      if (this.shaping().dropAcks && (type === PUBACK || type === PUBREC)) continue
      this.deliver(packet)
    }
    this.incoming = b
  }
}

const EMPTY = Buffer.alloc(0)

/** The chunks of a `_writev` as one buffer (written in order). */
export function joinChunks(chunks: readonly { chunk: Buffer }[]): Buffer {
  if (chunks.length === 1) return chunks[0]!.chunk
  let length = 0
  for (const c of chunks) length += c.chunk.length
  const out = Buffer.allocUnsafe(length)
  let offset = 0
  for (const c of chunks) {
    c.chunk.copy(out, offset)
    offset += c.chunk.length
  }
  return out
}
