import { describe, expect, it } from 'vitest'
import { DurationHistogram } from '../../../src/observability/duration-histogram.js'

describe('DurationHistogram', () => {
  it('percentiles in ms at 3 significant digits, sub-millisecond values kept', () => {
    const h = new DurationHistogram()
    for (let i = 1; i <= 1000; i++) h.record(i / 10) // 0.1 … 100 ms
    expect(h.count).toBe(1000)
    expect(h.percentile(50)!).toBeCloseTo(50, 0)
    expect(h.percentile(99)!).toBeCloseTo(99, 0)
    expect(h.max!).toBeCloseTo(100, 0)
    expect(h.percentile(0)!).toBeCloseTo(0.1, 2)
  })

  it('is empty: null percentiles and no buckets', () => {
    const h = new DurationHistogram()
    expect(h.percentile(95)).toBeNull()
    expect(h.max).toBeNull()
    expect(h.buckets()).toEqual([])
  })

  it('buckets: 1-2-5 upper bounds, counts add up, values go to the first bound ≥ them', () => {
    const h = new DurationHistogram()
    h.record(0.9) // ≤ 1
    h.record(1.5) // ≤ 2
    h.record(1.5)
    h.record(4000) // ≤ 5000
    const b = h.buckets()
    expect(b[0]).toEqual([1, 1])
    expect(b[1]).toEqual([2, 2])
    expect(b.at(-1)).toEqual([5000, 1])
    expect(b.reduce((n, [, c]) => n + c, 0)).toBe(4)
    // Empty buckets between are listed (a plot's x axis has no holes).
    expect(b.map(([ub]) => ub)).toEqual([1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000])
  })

  it('negative or NaN durations are recorded as 0, not thrown', () => {
    const h = new DurationHistogram()
    h.record(-3)
    h.record(Number.NaN)
    expect(h.count).toBe(2)
    expect(h.max).toBe(0)
  })

  it('grows past its hour instead of throwing, and adds another histogram in', () => {
    const a = new DurationHistogram()
    a.record(5 * 3_600_000) // 5 h, beyond the range it was made for
    const b = new DurationHistogram()
    b.record(2)
    b.add(a)
    expect(b.count).toBe(2)
    expect(b.max! / 3_600_000).toBeCloseTo(5, 2)
    expect(b.percentile(50)!).toBeCloseTo(2, 2)
  })
})
