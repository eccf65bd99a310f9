import type { Rng } from '../core/index.js'

const MS_PER_HOUR = 3_600_000

/** Unit changes as `reported = clean × factor + offset`. */
export const unitConversions = {
  'celsius-to-fahrenheit': { factor: 9 / 5, offset: 32 },
  'fahrenheit-to-celsius': { factor: 5 / 9, offset: -160 / 9 },
  'kwh-to-wh': { factor: 1000, offset: 0 },
} as const satisfies Record<string, { factor: number; offset: number }>

export type UnitConversion = keyof typeof unitConversions

/**
 * Bad-telemetry mutators: pure functions from the clean value (and fault parameters, time since the
 * fault started, its intensity 0 → 1 and a seeded stream) to the value the device reports. The fault
 * layer decides when they are active; these only say what they do. `null` means "no reading".
 */
export const mutators = {
  /** A point anomaly: the reading jumps by `delta` (sensor units). */
  spike: (clean: number, delta: number): number => clean + delta,
  /** The sensor repeats the value it had when it got stuck. */
  stuck: (_clean: number, frozen: number): number => frozen,
  /** Calibration drift: `ratePerHour` sensor units per hour since the fault started, scaled by intensity. */
  drift: (clean: number, ratePerHour: number, elapsedMs: number, intensity = 1): number => clean + ratePerHour * (elapsedMs / MS_PER_HOUR) * intensity,
  /** A level shift (bias) of `delta` sensor units, scaled by intensity. */
  offset: (clean: number, delta: number, intensity = 1): number => clean + delta * intensity,
  /** A wrong gain: `factor` at full intensity, 1 (no change) at intensity 0. */
  gain: (clean: number, factor: number, intensity = 1): number => clean * (1 + (factor - 1) * intensity),
  /** Extra Gaussian noise of standard deviation `sd`; draws one normal per call, whatever the intensity. */
  noise: (clean: number, sd: number, rng: Rng, intensity = 1): number => clean + sd * rng.normal() * intensity,
  /** The reading is missing with probability `probability` (one draw per call). */
  dropout: (clean: number, probability: number, rng: Rng): number | null => (rng.next() < probability ? null : clean),
  /** Saturation: the reading is held within [min, max] (either bound may be absent). */
  clip: (clean: number, min: number | undefined, max: number | undefined): number => Math.min(max ?? Infinity, Math.max(min ?? -Infinity, clean)),
  /** The sensor reports not-a-number (`nan`) or nothing (`null`). */
  nan: (_clean: number, as: 'nan' | 'null'): number | null => (as === 'null' ? null : NaN),
  /** A unit change: `clean × factor + offset` (see {@link unitConversions}). */
  linear: (clean: number, factor: number, offset: number): number => clean * factor + offset,
  /** A failing sensor's random readings, uniform in [min, max). */
  erratic: (_clean: number, min: number, max: number, rng: Rng): number => rng.uniform(min, max),
}
