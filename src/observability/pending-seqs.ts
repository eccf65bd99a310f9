/** Publish times of one message copy: clock ms (fault windows) and monotonic wall ms (latency). */
export interface PendingCopy {
  clockMs: number
  monoMs: number
}

const MAX_RING_SLOTS = 1024
/**
 * Where an emptied ring goes back to: twice the 4 it starts with, so a device that keeps a few
 * messages in flight does not make a new ring each time they are all acknowledged.
 */
const SMALL_RING_SLOTS = 8

/**
 * The messages of one device that were published and not delivered yet, by seq. Nearly always a
 * handful are in flight and each is delivered once, so they live in a small open ring of flat
 * numbers indexed by `seq & mask` — no object, array or hash-table entry per message, which at
 * 10,000 messages/s is what the collector would otherwise spend its time on. Collisions (a seq
 * still pending when a later one lands on its slot, past the largest ring) and second copies of a
 * seq (a duplicating fault) go to a map made on first use.
 */
export class PendingSeqs {
  /** Flat triples [seq, clockMs, monoMs]; seq 0 marks a free slot (seqs start at 1). */
  private ring: number[] = new Array<number>(4 * 3).fill(0)
  private mask = 3
  /** Ring slots in use. */
  private held = 0
  private overflow: Map<number, PendingCopy[]> | undefined

  add(seq: number, clockMs: number, monoMs: number): void {
    // Copies of a seq already waiting in the map queue behind it, so they are taken oldest first.
    if (this.overflow?.has(seq)) return this.spill(seq, { clockMs, monoMs })
    const i = (seq & this.mask) * 3
    const held = this.ring[i]!
    if (held === 0) {
      this.held++
      return this.put(i, seq, clockMs, monoMs)
    }
    if (held !== seq && this.grow()) return this.add(seq, clockMs, monoMs)
    this.spill(seq, { clockMs, monoMs })
  }

  /** Ring slots it has now (what a device holds for this between messages). */
  get slots(): number {
    return this.mask + 1
  }

  /** Takes the oldest pending copy of `seq`, if any. */
  take(seq: number): PendingCopy | undefined {
    const i = (seq & this.mask) * 3
    const r = this.ring
    if (r[i] === seq) {
      const copy = { clockMs: r[i + 1]!, monoMs: r[i + 2]! }
      const next = this.overflow?.get(seq)?.shift()
      if (next) {
        if (this.overflow!.get(seq)!.length === 0) this.overflow!.delete(seq)
        this.put(i, seq, next.clockMs, next.monoMs)
      } else {
        r[i] = 0
        // Emptied after a burst (an offline buffer sent on reconnect): back to the small ring, or
        // every device a fault knocked offline would keep the room it grew to (~800 B at 30 messages).
        if (--this.held === 0 && this.slots > SMALL_RING_SLOTS && !this.overflow?.size) {
          this.ring = new Array<number>(SMALL_RING_SLOTS * 3).fill(0)
          this.mask = SMALL_RING_SLOTS - 1
        }
      }
      return copy
    }
    const copies = this.overflow?.get(seq)
    const copy = copies?.shift()
    if (copies && copies.length === 0) this.overflow!.delete(seq)
    return copy
  }

  /** Every copy still pending. */
  *copies(): Generator<PendingCopy> {
    const r = this.ring
    for (let i = 0; i < r.length; i += 3) if (r[i] !== 0) yield { clockMs: r[i + 1]!, monoMs: r[i + 2]! }
    if (this.overflow) for (const list of this.overflow.values()) yield* list
  }

  private put(i: number, seq: number, clockMs: number, monoMs: number): void {
    const r = this.ring
    r[i] = seq
    r[i + 1] = clockMs
    r[i + 2] = monoMs
  }

  private spill(seq: number, copy: PendingCopy): void {
    const o = (this.overflow ??= new Map())
    const list = o.get(seq)
    if (list) list.push(copy)
    else o.set(seq, [copy])
  }

  /** Doubles the ring and re-seats what it holds; false once it is as large as it may be. */
  private grow(): boolean {
    const slots = this.mask + 1
    if (slots >= MAX_RING_SLOTS) return false
    const old = this.ring
    this.ring = new Array<number>(slots * 2 * 3).fill(0)
    this.mask = slots * 2 - 1
    this.held = 0
    for (let i = 0; i < old.length; i += 3) {
      const seq = old[i]!
      if (seq === 0) continue
      const j = (seq & this.mask) * 3
      // Two pending seqs may still share a slot after doubling only if they differ by a multiple of
      // the new size; the later one waits in the overflow map.
      if (this.ring[j] === 0) {
        this.held++
        this.put(j, seq, old[i + 1]!, old[i + 2]!)
      } else this.spill(seq, { clockMs: old[i + 1]!, monoMs: old[i + 2]! })
    }
    return true
  }
}
