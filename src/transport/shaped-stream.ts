import { EventEmitter } from 'node:events'
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

/** What MQTT.js pipes a stream into (its packet parser, a Writable). */
export interface StreamReader {
  write(chunk: Buffer): unknown
  end(): unknown
}

/**
 * The stream MQTT.js talks over: a byte pipe (a socket, or an in-memory end into the embedded broker)
 * with the device's network conditions applied — latency, jitter and bandwidth in both directions,
 * pauses (stalls and partitions hold everything), and lost acknowledgements. Whole writes are held,
 * never cut, so MQTT framing survives; incoming bytes are framed into packets so PUBACKs can be
 * dropped one by one. The lanes are made when shaping first holds something: an unshaped link writes
 * straight to its pipe.
 *
 * Not a Node Duplex: it has only what MQTT.js and mqtt-packet use of one (write with cork/uncork,
 * pipe into the client's parser, end, destroy, and the `error`/`close` events). A Duplex cost each
 * device two stream states (~0.5 KB) and, per packet, Writable's buffering of the five or six corked
 * pieces mqtt-packet writes; here the pieces are kept in an array and leave as one chunk at uncork.
 * There is no back-pressure to honour: a pipe takes every chunk (the in-memory one queues it, a
 * socket buffers it), so `write` always answers true.
 */
export class ShapedStream extends EventEmitter implements BytePipeListener {
  private up: Lane<Buffer> | undefined
  private down: Lane<Buffer> | undefined
  /** Bytes of a packet not yet whole (split across chunks). */
  private incoming: Buffer | undefined
  private readonly wire: BytePipe
  private reader: StreamReader | undefined
  /** Packets that came before anything was piped to read them. */
  private unread: Buffer[] | undefined
  private corks = 0
  /** Pieces written while corked, sent as one chunk when the last cork is lifted. */
  private corked: Buffer[] | undefined
  /** This side sent its end (FIN); the far side sent its end. */
  private ended = false
  private readEnded = false
  destroyed = false

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

  write(chunk: Buffer | string): boolean {
    if (this.ended || this.destroyed) return true // as a closed socket: the bytes go nowhere
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk
    if (this.corks > 0) (this.corked ??= []).push(bytes)
    else this.send(bytes)
    return true
  }

  cork(): void {
    this.corks++
  }

  uncork(): void {
    if (this.corks === 0 || --this.corks > 0) return
    const pieces = this.corked
    this.corked = undefined
    if (pieces !== undefined && !this.ended && !this.destroyed) this.send(pieces.length === 1 ? pieces[0]! : Buffer.concat(pieces))
  }

  /** MQTT.js reads through its parser: every packet that arrives is written to it, in order. */
  pipe<T extends StreamReader>(reader: T): T {
    this.reader = reader
    const unread = this.unread
    this.unread = undefined
    if (unread) for (const packet of unread) reader.write(packet)
    if (this.readEnded) reader.end()
    return reader
  }

  /** Sends what is corked, then this side's end; `done` when that is handed on (as `finish`). */
  end(done?: () => void): this {
    if (!this.ended && !this.destroyed) {
      this.corks = 0
      this.uncorkAll()
      this.ended = true
      this.wire.end()
      // Both directions over: the stream is done, as a Duplex closes itself then.
      if (this.readEnded) this.destroy()
    }
    if (done) process.nextTick(done)
    return this
  }

  destroy(error?: Error): this {
    if (this.destroyed) return this
    this.destroyed = true
    this.corked = undefined
    this.up?.clear()
    this.down?.clear()
    this.wire.destroy()
    process.nextTick(() => {
      if (error) this.emit('error', error)
      this.emit('close')
    })
    return this
  }

  private uncorkAll(): void {
    const pieces = this.corked
    this.corked = undefined
    if (pieces !== undefined) this.send(pieces.length === 1 ? pieces[0]! : Buffer.concat(pieces))
  }

  private send(chunk: Buffer): void {
    if (this.up === undefined && !isShaped(this.shaping())) this.wire.write(chunk)
    else (this.up ??= new Lane(this.clock, this.shaping, this.random, (c) => this.wire.write(c))).push(chunk)
  }

  onPipeData(chunk: Buffer): void {
    if (!this.destroyed) this.frame(chunk)
  }

  onPipeEnd(): void {
    if (this.readEnded || this.destroyed) return
    this.readEnded = true
    this.emit('end')
    this.reader?.end()
    if (this.ended) this.destroy()
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
    if (this.down === undefined && !isShaped(this.shaping())) this.read(packet)
    else (this.down ??= new Lane(this.clock, this.shaping, this.random, (c) => this.read(c))).push(packet)
  }

  private read(packet: Buffer): void {
    if (this.destroyed) return
    if (this.reader) this.reader.write(packet)
    else (this.unread ??= []).push(packet)
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
