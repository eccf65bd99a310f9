import { describe, expect, it } from 'vitest'
import { deriveStream } from '../../../../src/core/rng.js'
import { ouSignal } from '../../../../src/spec/signal.schema.js'
import type { StreamFactory } from '../../../../src/telemetry/signals/index.js'
import { ou } from '../../../../src/telemetry/signals/ou.js'

const SEED = 7
const HOUR = 3_600_000
const streamsFor = (device: string, seed = SEED): StreamFactory => (purpose) => deriveStream(seed, device, purpose)
const spec = (extra: Record<string, unknown> = {}) => ouSignal.parse({ kind: 'ou', mean: 10, theta: 1, sigma: 2, ...extra })

function run(s: { at(t: number): number }, periodMs: number, n: number, from = 0): number[] {
  return Array.from({ length: n }, (_, i) => s.at(from + i * periodMs))
}
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length
const variance = (xs: number[]) => {
  const m = mean(xs)
  return xs.reduce((a, b) => a + (b - m) ** 2, 0) / xs.length
}

describe('ou (Ornstein–Uhlenbeck)', () => {
  it('starts at start (default mean) and stays put when time does not advance', () => {
    const s = ou(spec({ start: 3 }), streamsFor('d'))
    expect(s.at(0)).toBe(3)
    expect(s.at(0)).toBe(3)
    expect(ou(spec(), streamsFor('d')).at(0)).toBe(10)
  })

  it('follows the exact transition for the elapsed time, drawing N(0,1) from the "ou" stream', () => {
    const s = ou(spec({ start: 0 }), streamsFor('d'))
    const rng = deriveStream(SEED, 'd', 'ou')
    let x = 0
    let last = 0
    s.at(0)
    for (const t of [60_000, 61_000, 2 * HOUR, 2 * HOUR + 5, 30 * HOUR]) {
      const dt = (t - last) / HOUR
      x = 10 + (x - 10) * Math.exp(-dt) + 2 * Math.sqrt((1 - Math.exp(-2 * dt)) / 2) * rng.normal()
      last = t
      expect(s.at(t)).toBeCloseTo(x, 10)
    }
  })

  it('is deterministic per seed and differs between seeds and devices', () => {
    const a = run(ou(spec(), streamsFor('d')), 60_000, 200)
    expect(run(ou(spec(), streamsFor('d')), 60_000, 200)).toEqual(a)
    expect(run(ou(spec(), streamsFor('e')), 60_000, 200)).not.toEqual(a)
    expect(run(ou(spec(), streamsFor('d', SEED + 1)), 60_000, 200)).not.toEqual(a)
  })

  it('decays deterministically towards the mean with sigma 0: (start − mean)·e^{−θt}', () => {
    const s = ou(spec({ start: 0, sigma: 0, theta: 0.5 }), streamsFor('d'))
    s.at(0)
    expect(s.at(2 * HOUR)).toBeCloseTo(10 - 10 * Math.exp(-1), 12)
    expect(s.at(4 * HOUR)).toBeCloseTo(10 - 10 * Math.exp(-2), 12)
  })

  it.each([
    ['6 min', HOUR / 10],
    ['1 h', HOUR],
  ])('converges to mean and variance σ²/2θ over a long run, sampled every %s', (_label, period) => {
    // theta 1/h, sigma 2/√h: stationary variance 2. 20 000 h ≈ 10 000 correlation times.
    const n = Math.round((20_000 * HOUR) / period)
    const xs = run(ou(spec(), streamsFor('long')), period, n, 0).slice(Math.round((10 * HOUR) / period))
    expect(Math.abs(mean(xs) - 10)).toBeLessThan(0.1)
    expect(variance(xs)).toBeGreaterThan(2 * 0.95)
    expect(variance(xs)).toBeLessThan(2 * 1.05)
  })

  it('applies startJitter per device, uniform in ±startJitter', () => {
    const starts = ['a', 'b', 'c', 'd', 'e'].map((d) => ou(spec({ startJitter: 4 }), streamsFor(d)).at(0))
    for (const v of starts) expect(Math.abs(v - 10)).toBeLessThanOrEqual(4)
    expect(new Set(starts).size).toBe(5)
  })

  it('needs theta > 0 and sigma ≥ 0', () => {
    expect(ouSignal.safeParse({ kind: 'ou', mean: 0, theta: 0, sigma: 1 }).success).toBe(false)
    expect(ouSignal.safeParse({ kind: 'ou', mean: 0, theta: 1, sigma: -1 }).success).toBe(false)
  })
})
