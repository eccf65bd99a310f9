import { z } from 'zod'
import { positiveDurationMs, durationMs } from './common.js'

/**
 * Signal generators a sensor can use. Each is a pure function of (time, seeded stream, params); see
 * src/telemetry/signals/. Durations are in ms after parsing.
 */
export const constantSignal = z.strictObject({ kind: z.literal('constant'), value: z.number() })

export const sineSignal = z.strictObject({
  kind: z.literal('sine'),
  mean: z.number(),
  amplitude: z.number().nonnegative(),
  period: positiveDurationMs,
  /** Phase offset; with `phaseJitter`, each device gets a seeded random extra phase in [0, phaseJitter]. */
  phase: durationMs.default(0),
  phaseJitter: durationMs.default(0),
})

export const randomWalkSignal = z.strictObject({
  kind: z.literal('random-walk'),
  start: z.number(),
  /** Standard deviation of one step per sample. */
  step: z.number().nonnegative(),
  /** Pull back towards `start` per step (0 = pure walk, 1 = no memory). */
  meanReversion: z.number().min(0).max(1).default(0.05),
  startJitter: z.number().nonnegative().default(0),
})

export const counterSignal = z.strictObject({
  kind: z.literal('counter'),
  start: z.number().default(0),
  startJitter: z.number().nonnegative().default(0),
  /** Mean increase per hour (e.g. kWh/h); never decreases. */
  ratePerHour: z.number().nonnegative(),
  /** Relative jitter of each increment, 0..1. */
  rateJitter: z.number().min(0).max(1).default(0.2),
})

export const routeSignal = z.strictObject({
  kind: z.literal('route'),
  /** Which coordinate this sensor reports. */
  axis: z.enum(['lat', 'lon']),
  /** Closed loop of [lat, lon] waypoints; the device travels it at `speedKmh`, starting at a seeded point. */
  waypoints: z.array(z.tuple([z.number().min(-90).max(90), z.number().min(-180).max(180)])).min(2),
  speedKmh: z.number().positive(),
})

export const signalSchema = z.discriminatedUnion('kind', [constantSignal, sineSignal, randomWalkSignal, counterSignal, routeSignal])
export type SignalSpec = z.output<typeof signalSchema>
export const SIGNAL_KINDS = ['constant', 'sine', 'random-walk', 'counter', 'route'] as const
