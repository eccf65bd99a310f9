import { Duplex } from 'node:stream'

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

  override _destroy(err: Error | null, cb: (e?: Error | null) => void): void {
    this.mux.closed(this.muxId)
    cb(err)
  }
}

export class StreamMux {
  private readonly streams = new Map<number, MuxStream>()
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
   */
  constructor(
    private readonly post: (batch: MuxBatch) => void,
    private readonly onOpen?: (stream: Duplex) => void,
  ) {}

  get size(): number {
    return this.streams.size
  }

  /** A new connection to the other side. */
  open(): Duplex {
    const id = this.nextId++
    const s = new MuxStream(id, this)
    this.streams.set(id, s)
    return s
  }

  /** A batch from the other side. */
  receive(batch: MuxBatch): void {
    const { ids, lengths, bytes, closed } = batch
    let offset = 0
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i]!
      const length = lengths[i]!
      const chunk = Buffer.from(bytes, offset, length)
      offset += length
      let s = this.streams.get(id)
      if (!s) {
        if (!this.onOpen || id <= this.highestRemote) continue
        this.highestRemote = id
        s = new MuxStream(id, this)
        this.streams.set(id, s)
        this.onOpen(s)
      }
      s.push(chunk)
    }
    // The other side closed: end of stream after what it sent (as a TCP FIN after the last bytes,
    // so a DISCONNECT just before still counts), then the stream tears itself down.
    for (const id of closed) {
      const s = this.streams.get(id)
      if (!s) continue
      this.streams.delete(id)
      s.push(null)
      s.end()
    }
  }

  /** Closes every stream (the other side is gone). */
  destroyAll(): void {
    for (const s of [...this.streams.values()]) s.destroy()
    this.streams.clear()
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
