import type { Rng } from '../core/index.js'

const MS_PER_HOUR = 3_600_000

/** Unit changes as `reported = clean × factor + offset`. */
export const unitConversions = {
  'celsius-to-fahrenheit': { factor: 9 / 5, offset: 32 },
  'fahrenheit-to-celsius': { factor: 5 / 9, offset: -160 / 9 },
  'kwh-to-wh': { factor: 1000, offset: 0 },
} as const satisfies Record<string, { factor: number; offset: number }>

export type UnitConversion = keyof typeof unitConversions

/** Basic shapes over one period, phase in [0, 1) → [-1, 1]: what a shapelet anomaly draws instead of the signal. */
export type WaveShape = 'sine' | 'square' | 'triangle' | 'sawtooth'

/** One of the basic shapes at `phase` (periods since the start; only the fraction counts), in [-1, 1]. */
export function wave(shape: WaveShape, phase: number): number {
  const f = phase - Math.floor(phase)
  switch (shape) {
    case 'sine':
      return Math.sin(2 * Math.PI * f)
    case 'square':
      return f < 0.5 ? 1 : -1
    case 'triangle':
      return f < 0.25 ? 4 * f : f < 0.75 ? 2 - 4 * f : 4 * f - 4
    case 'sawtooth':
      return 2 * f - 1
  }
}

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
  /** A contextual point: off by `delta` — small for the sensor's whole range, large for its neighbours. */
  contextual: (clean: number, delta: number): number => clean + delta,
  /**
   * A shapelet: the signal is replaced by `level + amplitude × shape` (`phase` in periods since the
   * start) — the same level, another shape — plus the sensor's own noise (`noise`, one draw).
   */
  shapelet: (_clean: number, level: number, amplitude: number, shape: WaveShape, phase: number, noise = 0): number => level + amplitude * wave(shape, phase) + noise,
  /** A seasonal anomaly: an extra season of `amplitude` (× intensity) and its own period on top of the signal. */
  seasonal: (clean: number, amplitude: number, phase: number, intensity = 1): number => clean + amplitude * Math.sin(2 * Math.PI * phase) * intensity,
  /**
   * Broken correlation: a sensor that follows `source` (`clean ≈ scale × source + …`) stops doing so —
   * `hold` keeps the relation it had when the source read `source0` (only its own noise moves it),
   * `invert` moves against the source by as much as it used to move with it.
   */
  decorrelate: (clean: number, scale: number, source: number, source0: number, mode: 'hold' | 'invert'): number => clean - (mode === 'invert' ? 2 : 1) * scale * (source - source0),
}
