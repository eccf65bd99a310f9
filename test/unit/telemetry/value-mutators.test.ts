import { describe, expect, it } from 'vitest'
import { deriveStream, type Rng } from '../../../src/core/index.js'
import { mutators, unitConversions } from '../../../src/telemetry/mutators.js'

const HOUR = 3_600_000

/** An Rng that returns scripted draws (next/normal/uniform), to check the math without randomness. */
function scripted(draws: number[]): Rng & { used: number } {
  const s = {
    used: 0,
    next: () => draws[s.used++]!,
    uniform: (min: number, max: number) => min + (max - min) * draws[s.used++]!,
    int: () => 0,
    normal: () => draws[s.used++]!,
    chance: (p: number) => draws[s.used++]! < p,
    pick: <T>(items: readonly T[]) => items[0]!,
  }
  return s
}

describe('mutators.drift', () => {
  it('adds ratePerHour × hours since the start × intensity', () => {
    expect(mutators.drift(20, 2, 0)).toBe(20)
    expect(mutators.drift(20, 2, HOUR)).toBe(22)
    expect(mutators.drift(20, 2, 3 * HOUR)).toBe(26)
    expect(mutators.drift(20, -1.5, 2 * HOUR)).toBe(17)
    expect(mutators.drift(20, 2, HOUR / 2)).toBe(21)
  })

  it('scales with intensity (0 → clean, ½ → half the drift)', () => {
    expect(mutators.drift(20, 4, HOUR, 0)).toBe(20)
    expect(mutators.drift(20, 4, HOUR, 0.5)).toBe(22)
    expect(mutators.drift(20, 4, HOUR, 1)).toBe(24)
  })
})

describe('mutators.offset', () => {
  it('adds delta × intensity', () => {
    expect(mutators.offset(20, 3)).toBe(23)
    expect(mutators.offset(20, -25)).toBe(-5)
    expect(mutators.offset(20, 3, 0)).toBe(20)
    expect(mutators.offset(20, 4, 0.25)).toBe(21)
  })
})

describe('mutators.gain', () => {
  it('multiplies by factor at full intensity and by 1 at none', () => {
    expect(mutators.gain(20, 1.5)).toBe(30)
    expect(mutators.gain(20, 0)).toBe(0)
    expect(mutators.gain(-10, 2)).toBe(-20)
    expect(mutators.gain(20, 3, 0)).toBe(20)
    expect(mutators.gain(20, 3, 0.5)).toBe(40) // 1 + (3 − 1) × ½ = 2
  })
})

describe('mutators.noise', () => {
  it('adds sd × one normal draw × intensity', () => {
    const rng = scripted([1.5, -2, 0.7])
    expect(mutators.noise(20, 2, rng)).toBe(23)
    expect(mutators.noise(20, 2, rng, 0.5)).toBe(18)
    expect(mutators.noise(20, 2, rng, 0)).toBe(20)
    expect(rng.used).toBe(3) // one draw per call even at intensity 0, so streams stay aligned
  })

  it('is reproducible from a seeded stream and has the requested spread', () => {
    const draw = () => {
      const rng = deriveStream(1, 'dev', 'noise')
      return Array.from({ length: 4000 }, () => mutators.noise(10, 3, rng))
    }
    const a = draw()
    expect(draw()).toEqual(a)
    const mean = a.reduce((s, v) => s + v, 0) / a.length
    const sd = Math.sqrt(a.reduce((s, v) => s + (v - mean) ** 2, 0) / a.length)
    expect(mean).toBeCloseTo(10, 0)
    expect(sd).toBeGreaterThan(2.8)
    expect(sd).toBeLessThan(3.2)
  })
})

describe('mutators.dropout', () => {
  it('is null when the draw is below the probability, else the clean value', () => {
    const rng = scripted([0.1, 0.5, 0.49, 0.99])
    expect(mutators.dropout(20, 0.5, rng)).toBeNull()
    expect(mutators.dropout(20, 0.5, rng)).toBe(20)
    expect(mutators.dropout(20, 0.5, rng)).toBeNull()
    expect(mutators.dropout(20, 0.5, rng)).toBe(20)
  })

  it('probability 1 always drops', () => {
    const rng = deriveStream(2, 'dev', 'dropout')
    for (let i = 0; i < 1000; i++) expect(mutators.dropout(20, 1, rng)).toBeNull()
  })
})

describe('mutators.clip', () => {
  it('holds readings within [min, max]', () => {
    expect(mutators.clip(25, 0, 22)).toBe(22)
    expect(mutators.clip(-5, 0, 22)).toBe(0)
    expect(mutators.clip(10, 0, 22)).toBe(10)
  })

  it('takes either bound alone', () => {
    expect(mutators.clip(25, undefined, 22)).toBe(22)
    expect(mutators.clip(-1e9, undefined, 22)).toBe(-1e9)
    expect(mutators.clip(-5, 0, undefined)).toBe(0)
    expect(mutators.clip(1e9, 0, undefined)).toBe(1e9)
  })
})

describe('mutators.nan', () => {
  it('gives NaN or null, ignoring the clean value', () => {
    expect(mutators.nan(20, 'nan')).toBeNaN()
    expect(mutators.nan(20, 'null')).toBeNull()
  })
})

describe('mutators.linear and unitConversions', () => {
  const convert = (v: number, c: keyof typeof unitConversions) => mutators.linear(v, unitConversions[c].factor, unitConversions[c].offset)

  it('converts °C to °F and back', () => {
    expect(convert(0, 'celsius-to-fahrenheit')).toBe(32)
    expect(convert(100, 'celsius-to-fahrenheit')).toBe(212)
    expect(convert(-40, 'celsius-to-fahrenheit')).toBe(-40)
    expect(convert(212, 'fahrenheit-to-celsius')).toBeCloseTo(100, 10)
    expect(convert(32, 'fahrenheit-to-celsius')).toBeCloseTo(0, 10)
    expect(convert(convert(21.5, 'celsius-to-fahrenheit'), 'fahrenheit-to-celsius')).toBeCloseTo(21.5, 10)
  })

  it('converts kWh to Wh', () => {
    expect(convert(1.234, 'kwh-to-wh')).toBeCloseTo(1234, 10)
  })

  it('applies a custom factor and offset', () => {
    expect(mutators.linear(10, 0.001, 0)).toBe(0.01)
    expect(mutators.linear(10, 3, 100)).toBe(130)
  })
})

describe('mutators.erratic', () => {
  it('draws uniformly in [min, max)', () => {
    const rng = scripted([0, 0.5, 0.999])
    expect(mutators.erratic(20, -40, 80, rng)).toBe(-40)
    expect(mutators.erratic(20, -40, 80, rng)).toBe(20)
    expect(mutators.erratic(20, -40, 80, rng)).toBeCloseTo(79.88, 10)
    const seeded = deriveStream(3, 'dev', 'erratic')
    for (let i = 0; i < 500; i++) {
      const v = mutators.erratic(20, 0, 100, seeded)
      expect(v).toBeGreaterThanOrEqual(0)
      expect(v).toBeLessThan(100)
    }
  })
})
