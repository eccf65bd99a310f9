import { describe, expect, it } from 'vitest'
import { PendingSeqs } from '../../../src/observability/pending-seqs.js'

const copy = (seq: number, n = 0) => ({ clockMs: seq * 1000 + n, monoMs: seq * 10 + n })

describe('PendingSeqs', () => {
  it('takes what was added, once, and nothing that was not', () => {
    const p = new PendingSeqs()
    for (let s = 1; s <= 3; s++) p.add(s, copy(s).clockMs, copy(s).monoMs)
    expect(p.take(2)).toEqual(copy(2))
    expect(p.take(2)).toBeUndefined()
    expect(p.take(9)).toBeUndefined()
    expect([...p.copies()].sort((a, b) => a.clockMs - b.clockMs)).toEqual([copy(1), copy(3)])
  })

  it('keeps every seq when many are pending at once (the ring grows, then spills to a map)', () => {
    const p = new PendingSeqs()
    // 5,000 lost messages stay pending: more than the largest ring, with colliding slots.
    for (let s = 1; s <= 5000; s++) p.add(s, copy(s).clockMs, copy(s).monoMs)
    expect([...p.copies()]).toHaveLength(5000)
    for (let s = 5000; s >= 1; s -= 7) expect(p.take(s)).toEqual(copy(s))
    expect([...p.copies()]).toHaveLength(5000 - Math.ceil(5000 / 7))
  })

  it('gives copies of one seq oldest first, also when the first had to wait in the map', () => {
    const p = new PendingSeqs()
    p.add(1, copy(1, 0).clockMs, copy(1, 0).monoMs)
    p.add(1, copy(1, 1).clockMs, copy(1, 1).monoMs) // a duplicating fault: second copy of seq 1
    p.add(1, copy(1, 2).clockMs, copy(1, 2).monoMs)
    expect([p.take(1), p.take(1), p.take(1), p.take(1)]).toEqual([copy(1, 0), copy(1, 1), copy(1, 2), undefined])

    const q = new PendingSeqs()
    // Fill the ring to its largest, so seq 1 + 1024 collides with seq 1 and waits in the map …
    for (let s = 1; s <= 1024; s++) q.add(s, copy(s).clockMs, copy(s).monoMs)
    q.add(1025, copy(1025, 0).clockMs, copy(1025, 0).monoMs)
    expect(q.take(1)).toEqual(copy(1)) // … the slot frees up …
    q.add(1025, copy(1025, 1).clockMs, copy(1025, 1).monoMs) // … and a second copy still queues behind the first.
    expect([q.take(1025), q.take(1025), q.take(1025)]).toEqual([copy(1025, 0), copy(1025, 1), undefined])
  })

  it('gives back the room a burst took once everything is delivered, and works on after it', () => {
    const p = new PendingSeqs()
    for (let seq = 1; seq <= 40; seq++) p.add(seq, seq, seq)
    expect(p.slots).toBeGreaterThanOrEqual(64)
    for (let seq = 1; seq <= 39; seq++) expect(p.take(seq)).toEqual({ clockMs: seq, monoMs: seq })
    expect(p.slots).toBeGreaterThanOrEqual(64) // one still in flight: nothing moves
    p.take(40)
    expect(p.slots).toBe(8)
    p.add(41, 1, 2)
    p.add(49, 3, 4) // the same slot of 8: the ring grows again
    expect(p.take(49)).toEqual({ clockMs: 3, monoMs: 4 })
    expect(p.take(41)).toEqual({ clockMs: 1, monoMs: 2 })
    expect([...p.copies()]).toEqual([])
  })
})
