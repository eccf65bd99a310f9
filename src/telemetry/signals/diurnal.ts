import type { z } from 'zod'
import type { diurnalSignal } from '../../spec/index.js'
import type { Signal } from './signal.js'

const HOUR_MS = 3_600_000
const DAY_MS = 24 * HOUR_MS

/**
 * `mean + amplitude·cos(2π(hour − peakHour)/24) + weekendOffset (Sat/Sun) + trendPerDay·days`. The hour
 * of day and weekday come from t (ms since run start) and `startHour`/`startWeekday`: no wall clock.
 */
export function diurnal(spec: z.output<typeof diurnalSignal>): Signal {
  return {
    at: (t) => {
      const hoursSinceMidnight0 = spec.startHour + t / HOUR_MS
      const dayIndex = Math.floor(hoursSinceMidnight0 / 24)
      const hour = hoursSinceMidnight0 - dayIndex * 24
      const weekday = (((spec.startWeekday + dayIndex) % 7) + 7) % 7
      const weekend = weekday >= 5 ? spec.weekendOffset : 0
      return spec.mean + spec.amplitude * Math.cos((2 * Math.PI * (hour - spec.peakHour)) / 24) + weekend + (spec.trendPerDay * t) / DAY_MS
    },
  }
}
