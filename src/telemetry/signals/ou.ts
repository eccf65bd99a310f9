import type { z } from 'zod'
import type { ouSignal } from '../../spec/index.js'
import type { Signal, StreamFactory } from './signal.js'

const HOUR_MS = 3_600_000

/**
 * Ornstein–Uhlenbeck process with the exact transition for the time elapsed since the previous call:
 * `x ← mean + (x − mean)·e^{−θdt} + σ·√((1 − e^{−2θdt}) / 2θ)·N(0, 1)` (θ per hour, σ per √hour, dt in
 * hours). Its spread therefore does not depend on the sample period; the stationary variance is σ²/2θ.
 */
export function ou(spec: z.output<typeof ouSignal>, streams: StreamFactory): Signal {
  const rng = streams('ou')
  let x = (spec.start ?? spec.mean) + (spec.startJitter > 0 ? rng.uniform(-spec.startJitter, spec.startJitter) : 0)
  let last: number | undefined
  return {
    at: (t) => {
      if (last !== undefined && t > last) {
        const dt = (t - last) / HOUR_MS
        const decay = Math.exp(-spec.theta * dt)
        const sd = spec.sigma * Math.sqrt((1 - decay * decay) / (2 * spec.theta))
        x += (spec.mean - x) * (1 - decay) + (sd > 0 ? sd * rng.normal() : 0)
      }
      if (last === undefined || t > last) last = t
      return x
    },
  }
}
