import seedrandom from 'seedrandom'
import { describe, expect, it } from 'vitest'
import { deriveStream, sampleWithoutReplacement, type Rng } from '../../../src/core/rng.js'

const draw = (rng: Rng, n: number) => Array.from({ length: n }, () => rng.next())

describe('deriveStream', () => {
  it('gives the same sequence for the same (seed, owner, purpose)', () => {
    const a = deriveStream(42, 'th-0007', 'signal')
    const b = deriveStream(42, 'th-0007', 'signal')
    expect(draw(a, 1000)).toEqual(draw(b, 1000))
  })

  it('is pinned: the values for a known key never change (golden values)', () => {
    // If this fails, every dataset generated so far stops being reproducible: do not "fix" the numbers.
    expect(draw(deriveStream(42, 'th-0007', 'signal'), 3)).toEqual([0.18856865377165377, 0.15428500063717365, 0.06079212762415409])
    const r = deriveStream(42, 'th-0007', 'signal')
    expect([r.normal(), r.normal(), r.normal(), r.int(1, 6), r.uniform(10, 20)]).toEqual([
      1.0334964809493612, 1.506144507904359, -2.2470247349785812, 4, 11.851067943498492,
    ])
    // A numeric seed and its decimal string are the same seed.
    expect(draw(deriveStream('42', 'th-0007', 'signal'), 3)).toEqual(draw(deriveStream(42, 'th-0007', 'signal'), 3))
  })

  it("draws seedrandom's alea numbers, draw for draw, for any key (it keeps alea's state, not its closure)", () => {
    for (const [seed, owner, purpose] of [[42, 'th-0007', 'signal'], [0, '', ''], ['x', 'dev-\u00e9', 'faults'], [2 ** 40, 'a'.repeat(300), 'network']] as const) {
      const reference = seedrandom.alea(`${seed}\u241f${owner}\u241f${purpose}`)
      expect(draw(deriveStream(seed, owner, purpose), 20_000)).toEqual(Array.from({ length: 20_000 }, () => reference()))
    }
  })

  it('gives different sequences when the seed, the owner or the purpose differs', () => {
    const base = draw(deriveStream(42, 'th-0007', 'signal'), 20)
    expect(draw(deriveStream(43, 'th-0007', 'signal'), 20)).not.toEqual(base)
    expect(draw(deriveStream(42, 'th-0008', 'signal'), 20)).not.toEqual(base)
    expect(draw(deriveStream(42, 'th-0007', 'network'), 20)).not.toEqual(base)
    // The separator keeps ("a", "bc") and ("ab", "c") apart.
    expect(draw(deriveStream(1, 'a', 'bc'), 20)).not.toEqual(draw(deriveStream(1, 'ab', 'c'), 20))
  })

  it('keeps streams independent: drawing from one never shifts another', () => {
    const fresh = draw(deriveStream(9, 'dev-1', 'signal'), 50)
    const signal = deriveStream(9, 'dev-1', 'signal')
    const faults = deriveStream(9, 'dev-1', 'faults')
    const interleaved: number[] = []
    for (let i = 0; i < 50; i++) {
      draw(faults, 7)
      interleaved.push(signal.next())
    }
    expect(interleaved).toEqual(fresh)
  })

  it('next() and uniform() stay in their half-open ranges', () => {
    const rng = deriveStream(1, 'x', 'range')
    for (let i = 0; i < 10_000; i++) {
      const u = rng.next()
      expect(u >= 0 && u < 1).toBe(true)
      const v = rng.uniform(-5, 5)
      expect(v >= -5 && v < 5).toBe(true)
    }
  })

  it('int(min, max) is inclusive at both ends and hits every value', () => {
    const rng = deriveStream(3, 'dice', 'int')
    const counts = new Map<number, number>()
    for (let i = 0; i < 12_000; i++) {
      const v = rng.int(1, 6)
      expect(Number.isInteger(v)).toBe(true)
      counts.set(v, (counts.get(v) ?? 0) + 1)
    }
    expect([...counts.keys()].sort()).toEqual([1, 2, 3, 4, 5, 6])
    for (const c of counts.values()) expect(c).toBeGreaterThan(1700) // ~2000 each
    expect(deriveStream(3, 'dice', 'one').int(4, 4)).toBe(4)
  })

  it('normal() has mean ≈ 0 and sd ≈ 1 over 20k draws', () => {
    const rng = deriveStream(2026, 'stats', 'normal')
    const n = 20_000
    const xs = Array.from({ length: n }, () => rng.normal())
    const mean = xs.reduce((s, x) => s + x, 0) / n
    const sd = Math.sqrt(xs.reduce((s, x) => s + (x - mean) ** 2, 0) / (n - 1))
    expect(Math.abs(mean)).toBeLessThan(0.03) // 4 standard errors
    expect(Math.abs(sd - 1)).toBeLessThan(0.03)
    expect(xs.every(Number.isFinite)).toBe(true)
    const within1 = xs.filter((x) => Math.abs(x) < 1).length / n
    expect(within1).toBeGreaterThan(0.66)
    expect(within1).toBeLessThan(0.70)
  })

  it('chance(p) is true with probability p, never for 0 and always for 1', () => {
    const rng = deriveStream(5, 'coin', 'chance')
    const n = 20_000
    let hits = 0
    for (let i = 0; i < n; i++) if (rng.chance(0.25)) hits++
    expect(hits / n).toBeGreaterThan(0.23)
    expect(hits / n).toBeLessThan(0.27)
    for (let i = 0; i < 1000; i++) {
      expect(rng.chance(0)).toBe(false)
      expect(rng.chance(1)).toBe(true)
    }
  })

  it('pick() returns members, reaches each of them, and refuses an empty list', () => {
    const rng = deriveStream(5, 'pick', 'pick')
    const items = ['a', 'b', 'c'] as const
    const seen = new Set<string>()
    for (let i = 0; i < 300; i++) seen.add(rng.pick(items))
    expect([...seen].sort()).toEqual(['a', 'b', 'c'])
    expect(() => rng.pick([])).toThrow(RangeError)
  })
})

describe('sampleWithoutReplacement', () => {
  const items = Array.from({ length: 100 }, (_, i) => `d${i}`)

  it('returns k distinct members of the list', () => {
    const s = sampleWithoutReplacement(deriveStream(1, 'fleet', 'faults'), items, 30)
    expect(s).toHaveLength(30)
    expect(new Set(s).size).toBe(30)
    for (const x of s) expect(items).toContain(x)
  })

  it('is deterministic for the same stream and differs for another', () => {
    const a = sampleWithoutReplacement(deriveStream(1, 'fleet', 'faults'), items, 10)
    const b = sampleWithoutReplacement(deriveStream(1, 'fleet', 'faults'), items, 10)
    const c = sampleWithoutReplacement(deriveStream(2, 'fleet', 'faults'), items, 10)
    expect(a).toEqual(b)
    expect(c).not.toEqual(a)
  })

  it('caps k at the list length, handles k = 0, and does not modify the input', () => {
    const input = ['x', 'y', 'z']
    const all = sampleWithoutReplacement(deriveStream(1, 'o', 'p'), input, 10)
    expect([...all].sort()).toEqual(['x', 'y', 'z'])
    expect(sampleWithoutReplacement(deriveStream(1, 'o', 'p'), input, 0)).toEqual([])
    expect(input).toEqual(['x', 'y', 'z'])
  })

  it('is not biased towards the front of the list', () => {
    const rng = deriveStream(11, 'fleet', 'bias')
    const hits = new Array<number>(10).fill(0)
    const ten = Array.from({ length: 10 }, (_, i) => i)
    for (let round = 0; round < 5000; round++) for (const i of sampleWithoutReplacement(rng, ten, 3)) hits[i]!++
    for (const h of hits) expect(h).toBeGreaterThan(1300) // expected 1500 each
  })
})
