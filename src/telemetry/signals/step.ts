import type { z } from 'zod'
import type { stepSignal } from '../../spec/index.js'
import type { Signal } from './signal.js'

/** Piecewise-constant schedule; at exactly a step's `at` the new value applies. With `repeat`, cyclic. */
export function step(spec: z.output<typeof stepSignal>): Signal {
  const steps = spec.steps
  const initial = spec.initial ?? (spec.repeat !== undefined ? steps[steps.length - 1]![1] : steps[0]![1])
  return {
    at: (t) => {
      const local = spec.repeat !== undefined ? ((t % spec.repeat) + spec.repeat) % spec.repeat : t
      let v = initial
      for (const [at, value] of steps) {
        if (at > local) break
        v = value
      }
      return v
    },
  }
}
