import { describe, expect, it } from 'vitest'
import { DeliveryProbe } from '../../../src/observability/delivery-probe.js'

/**
 * A scripted soak in miniature: two devices publish seqs 1…N once a second (clock ms = seq × 1000),
 * a fault log gives device A a fault over [20 s, 30 s], and the broker side sees a chosen delivery
 * order. Every count below is worked out by hand from the script.
 */
function probeWithFault(graceMs = 2_000) {
  const probe = new DeliveryProbe({ graceMs })
  probe.faultStarted('A', 20_000)
  probe.faultEnded('A', 30_000)
  return probe
}
const at = (seq: number) => seq * 1000

describe('DeliveryProbe', () => {
  it('in-order delivery: no loss, duplicates or reordering; latency from publish to delivery', () => {
    const p = new DeliveryProbe()
    for (let s = 1; s <= 100; s++) {
      p.published('A', s, at(s), at(s))
      p.delivered('A', s, at(s), at(s) + 3, at(s) + (s <= 50 ? 2 : 10))
    }
    const c = p.finish()
    expect(c).toMatchObject({ published: 100, delivered: 100, duplicates: 0, reordered: 0, lost: 0, unexplainedLost: 0 })
    expect(p.latency.count).toBe(100)
    expect(p.latency.percentile(50)).toBeCloseTo(2, 2)
    expect(p.latency.percentile(99)).toBeCloseTo(10, 1) // 3 significant digits
    expect(p.latency.max).toBeCloseTo(10, 1)
  })

  it('unfaulted latency leaves out messages made or delivered in a fault window (± grace) on their device', () => {
    const p = probeWithFault()
    // Device A: seqs 1..40, each delivered 5 ms after it was made, except 21..29 (made in the fault,
    // held back) delivered at 31 s: 2..10 s late. Device B, no fault: 8 ms each.
    for (let s = 1; s <= 40; s++) {
      p.published('A', s, at(s), at(s))
      p.published('B', s, at(s), at(s))
      p.delivered('B', s, at(s), at(s) + 8, at(s) + 8)
      if (s < 21 || s > 29) p.delivered('A', s, at(s), at(s) + 5, at(s) + 5)
    }
    for (let s = 21; s <= 29; s++) p.delivered('A', s, at(s), 31_000, 31_000)
    expect(p.latency.count).toBe(80)
    expect(p.latency.max).toBeCloseTo(10_000, -1)
    // A's seqs made or delivered within [18 s, 32 s] are the fault's: 18..32 (15 messages).
    expect(p.unfaultedLatency.count).toBe(80 - 15)
    expect(p.unfaultedLatency.max).toBeCloseTo(8, 1)
  })

  it('loss: a message lost inside the fault window (± grace) is explained, one outside is not', () => {
    const p = probeWithFault()
    for (let s = 1; s <= 40; s++) p.published('A', s, at(s), at(s))
    // 19 is 1 s before the fault (within 2 s grace), 25 inside, 33 is 3 s after (outside grace), 5 far away.
    const lostSeqs = new Set([5, 19, 25, 33])
    for (let s = 1; s <= 40; s++) if (!lostSeqs.has(s)) p.delivered('A', s, at(s), at(s) + 1, at(s) + 1)
    expect(p.inFlight).toBe(4)
    const c = p.finish()
    expect(c.lost).toBe(4)
    expect(c.unexplainedLost).toBe(2) // 5 and 33
    expect(c.delivered).toBe(36)
  })

  it('a fault on one device does not explain loss on another', () => {
    const p = probeWithFault()
    p.published('B', 25, at(25), at(25))
    expect(p.finish()).toMatchObject({ lost: 1, unexplainedLost: 1 })
  })

  it('a fault still open at the end explains loss after its start', () => {
    const p = new DeliveryProbe({ graceMs: 0 })
    p.faultStarted('A', 10_000)
    p.published('A', 1, 5_000, 5_000)
    p.published('A', 2, 50_000, 50_000)
    expect(p.finish()).toMatchObject({ lost: 2, unexplainedLost: 1 })
  })

  it('duplicates: a second delivery of a seq counts once per extra copy; explained inside the window', () => {
    const p = probeWithFault()
    for (let s = 1; s <= 40; s++) {
      p.published('A', s, at(s), at(s))
      p.delivered('A', s, at(s), at(s), at(s))
    }
    // A QoS 1 resend after reconnect: no publish on record, delivered at 31 s, its payload ts 24 s → explained.
    p.delivered('A', 24, at(24), at(31), at(31))
    // The same seq again twice at 39 s with payload ts 38 s: outside the window → 2 unexplained.
    p.delivered('A', 38, at(38), at(39), at(39))
    p.delivered('A', 38, at(38), at(39), at(39))
    const c = p.finish()
    expect(c).toMatchObject({ delivered: 40, duplicates: 3, unexplainedDuplicates: 2, lost: 0 })
  })

  it('a fault that publishes a seq twice: both copies are matched, the second delivery is a duplicate', () => {
    const p = probeWithFault()
    p.published('A', 22, at(22), at(22))
    p.published('A', 22, at(22), at(22))
    p.delivered('A', 22, at(22), at(22), at(22) + 1)
    p.delivered('A', 22, at(22), at(22), at(22) + 1)
    const c = p.finish()
    expect(c).toMatchObject({ published: 2, delivered: 1, duplicates: 1, unexplainedDuplicates: 0, lost: 0 })
    expect(p.latency.count).toBe(2)
  })

  it('reordering: a seq delivered after a later one; explained when the message was sent in the window', () => {
    const p = probeWithFault()
    for (let s = 1; s <= 40; s++) p.published('A', s, at(s), at(s))
    const order = [1, 2, 3, 5, 4, 6, ...Array.from({ length: 16 }, (_, i) => 7 + i).filter((s) => s !== 21), 23, 24, 21, ...Array.from({ length: 16 }, (_, i) => 25 + i)]
    for (const s of order) p.delivered('A', s, at(s), at(s) + 1, at(s) + 1)
    const c = p.finish()
    // 4 arrives after 5 (at 4 s: unexplained); 21 after 24 (sent at 21 s, inside the fault: explained).
    expect(c).toMatchObject({ delivered: 40, reordered: 2, unexplainedReordered: 1, duplicates: 0, lost: 0 })
  })

  it('a late message counts as reordered, not duplicate, and its gap closes', () => {
    const p = new DeliveryProbe()
    for (const s of [1, 2, 3]) p.published('A', s, at(s), at(s))
    p.delivered('A', 1, at(1), at(1), at(1))
    p.delivered('A', 3, at(3), at(3), at(3))
    expect(p.inFlight).toBe(1)
    p.delivered('A', 2, at(2), at(4), at(4))
    expect(p.finish()).toMatchObject({ delivered: 3, reordered: 1, duplicates: 0, lost: 0 })
  })

  it('takeInterval returns the latencies since the last call only', () => {
    const p = new DeliveryProbe()
    p.published('A', 1, 0, 0)
    p.delivered('A', 1, 0, 5, 5)
    expect(p.takeInterval().percentile(50)).toBeCloseTo(5, 2)
    expect(p.takeInterval().count).toBe(0)
    expect(p.latency.count).toBe(1)
  })
})
