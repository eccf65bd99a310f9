import type { z } from 'zod'
import type { constantSignal, counterSignal, randomWalkSignal, sineSignal } from '../../spec/index.js'
import type { Signal, StreamFactory } from './signal.js'

export function constant(spec: z.output<typeof constantSignal>): Signal {
  return { at: () => spec.value }
}

export function sine(spec: z.output<typeof sineSignal>, streams: StreamFactory): Signal {
  const phase = spec.phase + (spec.phaseJitter > 0 ? streams('phase').uniform(0, spec.phaseJitter) : 0)
  const w = (2 * Math.PI) / spec.period
  return { at: (t) => spec.mean + spec.amplitude * Math.sin(w * (t + phase)) }
}

/** Gaussian random walk with optional mean reversion (a discretised Ornstein–Uhlenbeck process). */
export function randomWalk(spec: z.output<typeof randomWalkSignal>, streams: StreamFactory): Signal {
  const rng = streams('walk')
  const centre = spec.start + (spec.startJitter > 0 ? rng.uniform(-spec.startJitter, spec.startJitter) : 0)
  let x = centre
  let first = true
  return {
    at: () => {
      if (first) {
        first = false
        return x
      }
      x += spec.step * rng.normal() + spec.meanReversion * (centre - x)
      return x
    },
  }
}

/** Monotonic counter (energy meters, odometers): increments follow elapsed time, never decrease. */
export function counter(spec: z.output<typeof counterSignal>, streams: StreamFactory): Signal {
  const rng = streams('counter')
  let value = spec.start + (spec.startJitter > 0 ? rng.uniform(0, spec.startJitter) : 0)
  let last: number | undefined
  return {
    at: (t) => {
      if (last !== undefined && t > last) {
        const hours = (t - last) / 3_600_000
        const factor = Math.max(0, 1 + spec.rateJitter * (2 * rng.next() - 1))
        value += spec.ratePerHour * hours * factor
      }
      last = t
      return value
    },
  }
}
