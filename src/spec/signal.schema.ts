import { z } from 'zod'
import { positiveDurationMs, durationMs, name } from './common.js'

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

/**
 * Daily cycle (cosine peaking at `peakHour`, UTC) + weekend offset + linear trend. Signals only see t (ms
 * since run start), so the hour of day and weekday at t = 0 are parameters: it stays a pure function of t.
 */
export const diurnalSignal = z.strictObject({
  kind: z.literal('diurnal'),
  mean: z.number(),
  /** Peak deviation from the mean over the day. */
  amplitude: z.number().nonnegative(),
  /** Hour of day (UTC, fractional) of the daily maximum. */
  peakHour: z.number().min(0).max(24).default(14),
  /** Added on Saturdays and Sundays. */
  weekendOffset: z.number().default(0),
  /** Linear drift per day since the run start. */
  trendPerDay: z.number().default(0),
  /** Hour of day (UTC, fractional) at t = 0. */
  startHour: z.number().min(0).max(24).default(0),
  /** Weekday at t = 0: 0 = Monday … 6 = Sunday. */
  startWeekday: z.number().int().min(0).max(6).default(0),
})

/** Ornstein–Uhlenbeck process, discretised exactly for the elapsed time between samples. */
export const ouSignal = z.strictObject({
  kind: z.literal('ou'),
  mean: z.number(),
  /** Reversion rate per hour (1/θ is the correlation time in hours). */
  theta: z.number().positive(),
  /** Volatility per √hour; the stationary standard deviation is sigma / √(2·theta). */
  sigma: z.number().nonnegative(),
  /** Value at t = 0 (default: `mean`). */
  start: z.number().optional(),
  /** Per-device offset of the start, uniform in ±startJitter. */
  startJitter: z.number().nonnegative().default(0),
})

export const markovState = z.strictObject({
  name,
  /** Value reported while in this state (e.g. door closed = 0, open = 1). */
  value: z.number(),
  /** Mean time spent in the state; the next state is drawn by `next` weights (default: equally). */
  meanDwell: positiveDurationMs.optional(),
  /** Relative weights of the next state when leaving (with `meanDwell`). */
  next: z.record(name, z.number().nonnegative()).optional(),
  /** Transition rates per hour to other states (instead of `meanDwell`). */
  ratesPerHour: z.record(name, z.number().nonnegative()).optional(),
})

/** Continuous-time Markov chain over discrete states, exact for any sample times. */
export const markovSignal = z
  .strictObject({
    kind: z.literal('markov'),
    states: z.array(markovState).min(2),
    /** Starting state (default: the first). */
    initial: name.optional(),
  })
  .superRefine((spec, ctx) => {
    const names = spec.states.map((s) => s.name)
    spec.states.forEach((s, i) => {
      if (names.indexOf(s.name) !== i) ctx.addIssue({ code: 'custom', path: ['states', i, 'name'], message: `duplicate state "${s.name}"`, params: { hint: 'give every state its own name' } })
      if (s.meanDwell !== undefined && s.ratesPerHour !== undefined) {
        ctx.addIssue({ code: 'custom', path: ['states', i, 'ratesPerHour'], message: 'give meanDwell or ratesPerHour, not both', params: { hint: 'meanDwell: 10m (with optional next weights), or ratesPerHour: { open: 6 }' } })
      }
      if (s.next !== undefined && s.meanDwell === undefined) {
        ctx.addIssue({ code: 'custom', path: ['states', i, 'next'], message: '`next` weights need meanDwell', params: { hint: 'add meanDwell, or use ratesPerHour' } })
      }
      for (const key of ['next', 'ratesPerHour'] as const) {
        for (const target of Object.keys(s[key] ?? {})) {
          if (!names.includes(target)) ctx.addIssue({ code: 'custom', path: ['states', i, key, target], message: `unknown state "${target}"`, params: { hint: `states: ${names.join(', ')}` } })
          else if (target === s.name) ctx.addIssue({ code: 'custom', path: ['states', i, key, target], message: 'a state cannot move to itself', params: { hint: 'list other states only' } })
        }
      }
      if (s.meanDwell !== undefined && s.next !== undefined && Object.values(s.next).every((w) => w === 0)) {
        ctx.addIssue({ code: 'custom', path: ['states', i, 'next'], message: 'needs a positive weight', params: { hint: 'e.g. next: { open: 1 }' } })
      }
    })
    if (spec.initial !== undefined && !names.includes(spec.initial)) {
      ctx.addIssue({ code: 'custom', path: ['initial'], message: `unknown state "${spec.initial}"`, params: { hint: `states: ${names.join(', ')}` } })
    }
  })

/** Piecewise-constant schedule: at each `at` (since run start, or since the cycle start) the value changes. */
export const stepSignal = z
  .strictObject({
    kind: z.literal('step'),
    /** [at, value] pairs, `at` strictly increasing. */
    steps: z.array(z.tuple([durationMs, z.number()])).min(1),
    /** Value before the first step (default: the first step's value, or with `repeat` the last one's). */
    initial: z.number().optional(),
    /** Cycle length: the schedule restarts every `repeat`. */
    repeat: positiveDurationMs.optional(),
  })
  .superRefine((spec, ctx) => {
    spec.steps.forEach(([at], i) => {
      if (at < 0) ctx.addIssue({ code: 'custom', path: ['steps', i, 0], message: 'must not be negative', params: { hint: 'a duration since the run start, e.g. 10m' } })
      if (i > 0 && at <= spec.steps[i - 1]![0]) ctx.addIssue({ code: 'custom', path: ['steps', i, 0], message: 'steps must be in increasing time order', params: { hint: 'sort the steps by time' } })
      if (spec.repeat !== undefined && at >= spec.repeat) ctx.addIssue({ code: 'custom', path: ['steps', i, 0], message: 'must be before the end of the cycle (`repeat`)', params: { hint: 'shorten the step time or lengthen repeat' } })
    })
  })

/** Derived from another sensor of the same device: `scale × other + offset + noise × N(0, 1)`. */
export const correlatedSignal = z.strictObject({
  kind: z.literal('correlated'),
  /** A sensor of the same profile defined before this one. */
  source: name,
  scale: z.number().default(1),
  offset: z.number().default(0),
  /** Standard deviation of the Gaussian noise added to the relation. */
  noise: z.number().nonnegative().default(0),
})

export const signalSchema = z.discriminatedUnion('kind', [
  constantSignal,
  sineSignal,
  randomWalkSignal,
  counterSignal,
  routeSignal,
  diurnalSignal,
  ouSignal,
  markovSignal,
  stepSignal,
  correlatedSignal,
])
export type SignalSpec = z.output<typeof signalSchema>
export const SIGNAL_KINDS = ['constant', 'sine', 'random-walk', 'counter', 'route', 'diurnal', 'ou', 'markov', 'step', 'correlated'] as const
