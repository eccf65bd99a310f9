import { describe, expect, it } from 'vitest'
import { diurnalSignal } from '../../../../src/spec/signal.schema.js'
import { diurnal } from '../../../../src/telemetry/signals/diurnal.js'

const HOUR = 3_600_000
const DAY = 24 * HOUR
const spec = (extra: Record<string, unknown> = {}) => diurnalSignal.parse({ kind: 'diurnal', mean: 20, amplitude: 5, ...extra })

/** Hour (fractional, minute resolution) of the maximum within day `day`. */
function peakHourOf(s: { at(t: number): number }, day = 0): number {
  let best = -Infinity
  let bestHour = -1
  for (let m = 0; m < 24 * 60; m++) {
    const v = s.at(day * DAY + m * 60_000)
    if (v > best) [best, bestHour] = [v, m / 60]
  }
  return bestHour
}

describe('diurnal', () => {
  it('has defaults: peak at 14:00, no weekend offset or trend, t = 0 is Monday 00:00', () => {
    expect(spec()).toEqual({ kind: 'diurnal', mean: 20, amplitude: 5, peakHour: 14, weekendOffset: 0, trendPerDay: 0, startHour: 0, startWeekday: 0 })
  })

  it('peaks at peakHour (mean + amplitude) and bottoms 12 h later', () => {
    const s = diurnal(spec({ peakHour: 15.5 }))
    expect(peakHourOf(s)).toBe(15.5)
    expect(s.at(15.5 * HOUR)).toBeCloseTo(25, 12)
    expect(s.at(3.5 * HOUR)).toBeCloseTo(15, 12)
    expect(s.at(9.5 * HOUR)).toBeCloseTo(20, 12)
  })

  it('takes the hour of day at t = 0 from startHour', () => {
    const s = diurnal(spec({ peakHour: 14, startHour: 10 }))
    // 14:00 is 4 h after the start.
    expect(peakHourOf(s)).toBe(4)
    expect(s.at(4 * HOUR)).toBeCloseTo(25, 12)
    expect(s.at(28 * HOUR)).toBeCloseTo(25, 12)
  })

  it('adds weekendOffset on Saturday and Sunday only', () => {
    const plain = diurnal(spec())
    const s = diurnal(spec({ weekendOffset: -3 }))
    const offsets = Array.from({ length: 14 }, (_, day) => s.at(day * DAY + 6 * HOUR) - plain.at(day * DAY + 6 * HOUR))
    expect(offsets.map((o) => Math.round(o))).toEqual([0, 0, 0, 0, 0, -3, -3, 0, 0, 0, 0, 0, -3, -3])
  })

  it('starts the week at startWeekday and switches at midnight', () => {
    const s = diurnal(spec({ amplitude: 0, weekendOffset: 7, startWeekday: 4, startHour: 23 })) // Friday 23:00
    expect(s.at(0)).toBe(20)
    expect(s.at(HOUR - 1)).toBe(20)
    expect(s.at(HOUR)).toBe(27) // Saturday 00:00
    expect(s.at(HOUR + 2 * DAY - 1)).toBe(27) // Sunday 23:59:59.999
    expect(s.at(HOUR + 2 * DAY)).toBe(20) // Monday
  })

  it('adds trendPerDay × days since the run start', () => {
    const s = diurnal(spec({ amplitude: 0, trendPerDay: 0.5 }))
    expect(s.at(0)).toBe(20)
    expect(s.at(DAY / 2)).toBeCloseTo(20.25, 12)
    expect(s.at(4 * DAY)).toBeCloseTo(22, 12)
  })

  it('is a pure function of t: any order, any repetition', () => {
    const s = diurnal(spec({ weekendOffset: 2, trendPerDay: 0.1 }))
    const ts = [5 * DAY + 123, 17, 3 * HOUR, 5 * DAY + 123]
    expect(ts.map((t) => s.at(t))).toEqual(ts.map((t) => diurnal(spec({ weekendOffset: 2, trendPerDay: 0.1 })).at(t)))
  })

  it('rejects an hour outside 0–24 and an unknown key', () => {
    expect(diurnalSignal.safeParse({ kind: 'diurnal', mean: 0, amplitude: 1, peakHour: 25 }).success).toBe(false)
    expect(diurnalSignal.safeParse({ kind: 'diurnal', mean: 0, amplitude: 1, startWeekday: 7 }).success).toBe(false)
    expect(diurnalSignal.safeParse({ kind: 'diurnal', mean: 0, amplitude: 1, peak: 3 }).success).toBe(false)
  })
})
