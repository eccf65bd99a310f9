import { describe, expect, it } from 'vitest'
import { deriveStream } from '../../../../src/core/rng.js'
import { counterSignal, randomWalkSignal, sineSignal, signalSchema } from '../../../../src/spec/signal.schema.js'
import { constant, counter, randomWalk, sine } from '../../../../src/telemetry/signals/basic.js'
import { createSignal, type StreamFactory } from '../../../../src/telemetry/signals/index.js'

const SEED = 42
/** A device's stream factory, as VirtualDevice builds it: one independent stream per purpose. */
const streamsFor = (device: string, seed = SEED): StreamFactory => (purpose) => deriveStream(seed, device, purpose)

const HOUR = 3_600_000

describe('constant', () => {
  it('returns its value at any time', () => {
    const s = constant({ kind: 'constant', value: 3.25 })
    expect([0, 1, 1e9].map((t) => s.at(t))).toEqual([3.25, 3.25, 3.25])
  })
})

describe('sine', () => {
  const spec = (extra: Record<string, unknown> = {}) => sineSignal.parse({ kind: 'sine', mean: 20, amplitude: 5, period: '1h', ...extra })

  it('follows mean + amplitude·sin(2πt/period) with no phase', () => {
    const s = sine(spec(), streamsFor('d1'))
    expect(s.at(0)).toBeCloseTo(20, 12)
    expect(s.at(HOUR / 4)).toBeCloseTo(25, 12)
    expect(s.at(HOUR / 2)).toBeCloseTo(20, 12)
    expect(s.at((3 * HOUR) / 4)).toBeCloseTo(15, 12)
    expect(s.at(HOUR + HOUR / 4)).toBeCloseTo(25, 12)
  })

  it('shifts by a fixed phase (a duration)', () => {
    const s = sine(spec({ phase: '15m' }), streamsFor('d1'))
    expect(s.at(0)).toBeCloseTo(25, 12)
  })

  it('adds a seeded per-device extra phase in [0, phaseJitter] drawn from the "phase" stream', () => {
    const jitter = 10 * 60_000
    const phaseOf = (device: string) => deriveStream(SEED, device, 'phase').uniform(0, jitter)
    const phases = new Set<number>()
    for (const device of ['a', 'b', 'c', 'd']) {
      const extra = phaseOf(device)
      expect(extra).toBeGreaterThanOrEqual(0)
      expect(extra).toBeLessThanOrEqual(jitter)
      phases.add(extra)
      const s = sine(spec({ phaseJitter: '10m' }), streamsFor(device))
      for (const t of [0, 123_456, HOUR / 3]) {
        expect(s.at(t)).toBeCloseTo(20 + 5 * Math.sin(((2 * Math.PI) / HOUR) * (t + extra)), 10)
      }
    }
    expect(phases.size).toBe(4)
  })

  it('draws nothing from the phase stream when phaseJitter is 0', () => {
    let asked = 0
    sine(spec(), (p) => {
      asked++
      return deriveStream(SEED, 'd', p)
    })
    expect(asked).toBe(0)
  })

  it('is a pure function of t (calling order does not matter)', () => {
    const s = sine(spec({ phaseJitter: '5m' }), streamsFor('d'))
    const forward = [0, 1000, 2000].map((t) => s.at(t))
    const backward = [2000, 1000, 0].map((t) => s.at(t)).reverse()
    expect(backward).toEqual(forward)
  })
})

describe('random-walk', () => {
  const spec = (extra: Record<string, unknown>) => randomWalkSignal.parse({ kind: 'random-walk', start: 10, step: 1, ...extra })

  it('returns the (jittered) start first, then steps by step·N(0,1) + meanReversion·(centre − x)', () => {
    const s = randomWalk(spec({ step: 0.5, meanReversion: 0.2, startJitter: 3 }), streamsFor('d'))
    // Reproduce it from the same stream: one uniform for the centre, then one normal per step.
    const rng = deriveStream(SEED, 'd', 'walk')
    const centre = 10 + rng.uniform(-3, 3)
    expect(centre).toBeGreaterThanOrEqual(7)
    expect(centre).toBeLessThanOrEqual(13)
    let x = centre
    expect(s.at(0)).toBe(x)
    for (let i = 1; i < 50; i++) {
      x += 0.5 * rng.normal() + 0.2 * (centre - x)
      expect(s.at(i * 1000)).toBe(x)
    }
  })

  it('with step 0 stays at its start forever', () => {
    const s = randomWalk(spec({ step: 0 }), streamsFor('d'))
    for (let i = 0; i < 100; i++) expect(s.at(i)).toBe(10)
  })

  it('mean reversion keeps it near the centre; a pure walk wanders off', () => {
    const n = 20_000
    const run = (meanReversion: number) => {
      const s = randomWalk(spec({ meanReversion }), streamsFor('walker'))
      let sum = 0
      let maxDev = 0
      for (let i = 0; i < n; i++) {
        const v = s.at(i)
        sum += v
        maxDev = Math.max(maxDev, Math.abs(v - 10))
      }
      return { mean: sum / n, maxDev }
    }
    // OU with r = 0.1, step 1: stationary sd = 1/sqrt(1 - 0.9²) ≈ 2.3.
    const reverting = run(0.1)
    expect(Math.abs(reverting.mean - 10)).toBeLessThan(0.5)
    expect(reverting.maxDev).toBeLessThan(15)
    // A pure walk after 20k steps has sd ≈ 141; it strays far from start.
    const pure = run(0)
    expect(pure.maxDev).toBeGreaterThan(reverting.maxDev * 3)
  })

  it('with meanReversion 1 has no memory: each value is centre + step·N(0,1)', () => {
    const s = randomWalk(spec({ meanReversion: 1, step: 2 }), streamsFor('d'))
    const rng = deriveStream(SEED, 'd', 'walk')
    s.at(0)
    for (let i = 1; i < 20; i++) expect(s.at(i)).toBeCloseTo(10 + 2 * rng.normal(), 12)
  })
})

describe('counter', () => {
  const spec = (extra: Record<string, unknown>) => counterSignal.parse({ kind: 'counter', ratePerHour: 2, ...extra })

  it('without rate jitter increases exactly by ratePerHour × elapsed hours', () => {
    const s = counter(spec({ start: 100, rateJitter: 0 }), streamsFor('d'))
    expect(s.at(0)).toBe(100)
    expect(s.at(HOUR / 2)).toBeCloseTo(101, 12)
    expect(s.at(3 * HOUR)).toBeCloseTo(106, 12)
  })

  it('never decreases, even with full rate jitter and repeated or earlier times', () => {
    const s = counter(spec({ rateJitter: 1 }), streamsFor('d'))
    let prev = -Infinity
    const rng = deriveStream(1, 'times', 'x')
    let t = 0
    for (let i = 0; i < 5000; i++) {
      t += rng.int(0, 60_000) // zero gaps included
      const v = s.at(t)
      expect(v).toBeGreaterThanOrEqual(prev)
      prev = v
    }
    const before = s.at(t)
    expect(s.at(t)).toBe(before) // same time: no increment
    expect(s.at(t - 10_000)).toBe(before) // earlier time: no decrease
  })

  it('grows at ratePerHour on average with jitter', () => {
    const s = counter(spec({ ratePerHour: 3, rateJitter: 0.5 }), streamsFor('d'))
    s.at(0)
    const hours = 500
    for (let i = 1; i <= hours * 60; i++) s.at(i * 60_000)
    const v = s.at(hours * HOUR)
    expect(v / hours).toBeGreaterThan(2.9)
    expect(v / hours).toBeLessThan(3.1)
  })

  it('draws the start jitter in [start, start + startJitter] from the "counter" stream', () => {
    const s = counter(spec({ start: 50, startJitter: 10 }), streamsFor('d'))
    const expected = 50 + deriveStream(SEED, 'd', 'counter').uniform(0, 10)
    const v = s.at(0)
    expect(v).toBe(expected)
    expect(v).toBeGreaterThanOrEqual(50)
    expect(v).toBeLessThanOrEqual(60)
  })
})

describe('createSignal', () => {
  it('dispatches on kind', () => {
    const streams = streamsFor('d')
    expect(createSignal(signalSchema.parse({ kind: 'constant', value: 7 }), streams).at(5)).toBe(7)
    expect(createSignal(signalSchema.parse({ kind: 'sine', mean: 1, amplitude: 0, period: '1s' }), streams).at(5)).toBe(1)
    expect(createSignal(signalSchema.parse({ kind: 'random-walk', start: 4, step: 0 }), streams).at(5)).toBe(4)
    expect(createSignal(signalSchema.parse({ kind: 'counter', start: 9, ratePerHour: 1 }), streams).at(5)).toBe(9)
    const route = signalSchema.parse({ kind: 'route', axis: 'lat', waypoints: [[1, 2], [1, 2]], speedKmh: 10 })
    expect(createSignal(route, streams).at(5)).toBe(1)
  })
})
