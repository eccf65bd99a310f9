import { Duplex } from 'node:stream'
import { ownedBytes } from '../core/index.js'

/**
 * Many byte streams over one message channel (a worker thread's port), batched per event-loop turn:
 * how devices in one thread reach the broker in another without a socket or a file descriptor each.
 * One message per batch: every chunk written in the turn, concatenated into one transferred buffer
 * (cloning thousands of small buffers one by one costs more than the broker's own work), with the
 * stream id and length of each, and the ids of streams closed.
 */
export interface MuxBatch {
  ids: number[]
  lengths: number[]
  bytes: ArrayBuffer
  closed: number[]
}

/** One end of a multiplexed connection: a Duplex whose writes go out in the next batch. */
class MuxStream extends Duplex {
  constructor(
    readonly muxId: number,
    private readonly mux: StreamMux,
  ) {
    super({ allowHalfOpen: false })
  }

  override _read(): void {}

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (e?: Error | null) => void): void {
    this.mux.enqueue(this.muxId, chunk)
    cb()
  }

  /** A corked turn's writes (aedes writes a packet in pieces, corked) as one chunk of the batch. */
  override _writev(chunks: { chunk: Buffer }[], cb: (e?: Error | null) => void): void {
    if (chunks.length === 1) this.mux.enqueue(this.muxId, chunks[0]!.chunk)
    else this.mux.enqueue(this.muxId, Buffer.concat(chunks.map((c) => c.chunk)))
    cb()
  }

  override _destroy(err: Error | null, cb: (e?: Error | null) => void): void {
    this.mux.closed(this.muxId)
    cb(err)
  }

  /** The other side sent these bytes. */
  received(chunk: Buffer): void {
    this.push(chunk)
  }

  /** The other side closed: end of stream after what it sent (as a TCP FIN after the last bytes), then it tears itself down. */
  remoteClosed(): void {
    this.push(null)
    this.end()
  }
}

/** What a pipe end tells the stream above it (transport's BytePipeListener, by shape: this layer does not import it). */
export interface MuxPipeListener {
  onPipeData(chunk: Buffer): void
  onPipeEnd(): void
  onPipeClose(): void
}

/**
 * One end of a multiplexed connection without Node stream machinery: what a device's MQTT stream
 * writes into (transport's BytePipe, by shape). A device's connection needs no second Duplex of its
 * own under MQTT.js's; this is two small objects instead of ~1.2 KB, and one hop less per packet.
 */
class MuxPipe {
  private open = true

  constructor(
    readonly muxId: number,
    private readonly mux: StreamMux,
    private readonly listener: MuxPipeListener,
  ) {}

  write(chunk: Buffer): void {
    if (this.open) this.mux.enqueue(this.muxId, chunk)
  }

  /** A FIN: the far side ends after what was sent; then this end is closed, as a half-closed-not-allowed socket would be. */
  end(): void {
    if (!this.open) return
    this.close()
    process.nextTick(() => this.listener.onPipeClose())
  }

  destroy(): void {
    if (this.open) this.close()
  }

  received(chunk: Buffer): void {
    if (this.open) this.listener.onPipeData(chunk)
  }

  remoteClosed(): void {
    if (!this.open) return
    this.open = false
    this.listener.onPipeEnd()
    process.nextTick(() => this.listener.onPipeClose())
  }

  /** Torn down from under it (the other side is gone). */
  lost(): void {
    if (!this.open) return
    this.open = false
    this.listener.onPipeClose()
  }

  private close(): void {
    this.open = false
    this.mux.closed(this.muxId)
  }
}

type MuxEnd = MuxStream | MuxPipe

export class StreamMux {
  private readonly streams = new Map<number, MuxEnd>()
  private chunks: Buffer[] = []
  private ids: number[] = []
  private closedIds: number[] = []
  private bytes = 0
  private scheduled = false
  private nextId = 1
  /** Ids only grow, so a frame for an unknown id at or below this one is for a stream already closed. */
  private highestRemote = 0

  /**
   * `post` sends a batch to the other side. Only one side opens streams (the devices' side, with
   * `open()`); the other passes `onOpen`, called for each new stream the opener started.
   *
   * The accepting side (the broker) gets each chunk as a copy of its own, not a view of the batch:
   * aedes keeps slices of what it parses for as long as a session lasts (a will's payload, a retained
   * message), and one 40-byte view keeps the whole batch alive, which after a reconnect wave is
   * hundreds of KB of everyone's packets (measured: ~20 MB held per 3,000 reconnects at 10k devices).
   * The devices' side keeps nothing it receives, and reads views.
   */
  constructor(
    private readonly post: (batch: MuxBatch) => void,
    private readonly onOpen?: (stream: Duplex) => void,
  ) {}

  get size(): number {
    return this.streams.size
  }

  /** A new connection to the other side, as a Duplex (for any stream user: an MQTT.js client as it is). */
  open(): Duplex {
    const id = this.nextId++
    const s = new MuxStream(id, this)
    this.streams.set(id, s)
    return s
  }

  /** A new connection to the other side, as a bare pipe end (for a device's ShapedStream). */
  openPipe(listener: MuxPipeListener): MuxPipe {
    const id = this.nextId++
    const p = new MuxPipe(id, this, listener)
    this.streams.set(id, p)
    return p
  }

  /** A batch from the other side. */
  receive(batch: MuxBatch): void {
    const { ids, lengths, bytes, closed } = batch
    let offset = 0
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i]!
      const length = lengths[i]!
      const chunk = this.onOpen ? ownedBytes(new Uint8Array(bytes, offset, length)) : Buffer.from(bytes, offset, length)
      offset += length
      let s = this.streams.get(id)
      if (!s) {
        if (!this.onOpen || id <= this.highestRemote) continue
        this.highestRemote = id
        s = new MuxStream(id, this)
        this.streams.set(id, s)
        this.onOpen(s)
      }
      s.received(chunk)
    }
    // The other side closed: end of stream after what it sent (as a TCP FIN after the last bytes,
    // so a DISCONNECT just before still counts), then the stream tears itself down.
    for (const id of closed) {
      const s = this.streams.get(id)
      if (!s) continue
      this.streams.delete(id)
      s.remoteClosed()
    }
  }

  /** Closes every stream (the other side is gone). */
  destroyAll(): void {
    const ends = [...this.streams.values()]
    this.streams.clear()
    for (const s of ends) {
      if (s instanceof MuxStream) s.destroy()
      else s.lost()
    }
  }

  enqueue(id: number, chunk: Buffer): void {
    this.ids.push(id)
    this.chunks.push(chunk)
    this.bytes += chunk.length
    this.schedule()
  }

  closed(id: number): void {
    if (!this.streams.delete(id)) return
    this.closedIds.push(id)
    this.schedule()
  }

  private schedule(): void {
    if (this.scheduled) return
    this.scheduled = true
    setImmediate(() => this.flush())
  }

  flush(): void {
    this.scheduled = false
    if (this.ids.length === 0 && this.closedIds.length === 0) return
    const all = new Uint8Array(this.bytes)
    let offset = 0
    for (const c of this.chunks) {
      all.set(c, offset)
      offset += c.length
    }
    const batch: MuxBatch = { ids: this.ids, lengths: this.chunks.map((c) => c.length), bytes: all.buffer, closed: this.closedIds }
    this.ids = []
    this.chunks = []
    this.closedIds = []
    this.bytes = 0
    this.post(batch)
  }
}
