import { describe, expect, it } from 'vitest'
import { mutators, wave } from '../../../src/telemetry/mutators.js'

// The newer mutators (drift, offset, gain, noise, …) are covered in value-mutators.test.ts.
describe('mutators: spike and stuck', () => {
  it('spike adds delta (either sign) to the clean value', () => {
    expect(mutators.spike(20, 5)).toBe(25)
    expect(mutators.spike(20, -30)).toBe(-10)
    expect(mutators.spike(1.5, 0)).toBe(1.5)
  })

  it('stuck ignores the clean value and repeats the frozen one', () => {
    expect(mutators.stuck(20, 7)).toBe(7)
    expect(mutators.stuck(-100, 7)).toBe(7)
  })
})

describe('mutators: the TODS families and broken correlation', () => {
  it('wave draws each basic shape over one period in [-1, 1]', () => {
    expect([0, 0.25, 0.5, 0.75].map((f) => wave('sine', f)).map((v) => Math.round(v * 1e9) / 1e9)).toEqual([0, 1, 0, -1])
    expect([0, 0.25, 0.49, 0.5, 0.99].map((f) => wave('square', f))).toEqual([1, 1, 1, -1, -1])
    expect([0, 0.125, 0.25, 0.5, 0.75, 0.875].map((f) => wave('triangle', f))).toEqual([0, 0.5, 1, 0, -1, -0.5])
    expect([0, 0.25, 0.5, 0.75].map((f) => wave('sawtooth', f))).toEqual([-1, -0.5, 0, 0.5])
    // Only the fraction of the phase counts.
    expect(wave('sawtooth', 3.25)).toBe(wave('sawtooth', 0.25))
  })

  it('contextual adds its delta; shapelet replaces the signal by level + amplitude × shape (+ noise)', () => {
    expect(mutators.contextual(21, 0.3)).toBeCloseTo(21.3, 12)
    expect(mutators.shapelet(99, 20, 2, 'square', 0.1)).toBe(22)
    expect(mutators.shapelet(-99, 20, 2, 'square', 0.6, 0.05)).toBeCloseTo(18.05, 12)
  })

  it('seasonal adds a season of its own period, scaled by the intensity', () => {
    expect(mutators.seasonal(20, 3, 0.25)).toBeCloseTo(23, 12)
    expect(mutators.seasonal(20, 3, 0.75, 0.5)).toBeCloseTo(18.5, 12)
    expect(mutators.seasonal(20, 3, 0.5)).toBeCloseTo(20, 12)
  })

  it('decorrelate removes (hold) or reverses (invert) what the sensor took from its source since the start', () => {
    // humidity = -2 × temperature + 90: temperature went 20 → 23, so humidity went 50 → 44.
    expect(mutators.decorrelate(44, -2, 23, 20, 'hold')).toBe(50)
    expect(mutators.decorrelate(44, -2, 23, 20, 'invert')).toBe(56)
    expect(mutators.decorrelate(50, -2, 20, 20, 'invert')).toBe(50)
  })
})
