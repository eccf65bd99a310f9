import type { z } from 'zod'
import type { markovSignal } from '../../spec/index.js'
import type { Signal, StreamFactory } from './signal.js'

const HOUR_MS = 3_600_000

interface State {
  value: number
  /** Total exit rate per ms (0 = absorbing). */
  rate: number
  /** Next-state indices and cumulative probabilities. */
  targets: number[]
  cumulative: number[]
}

/** Builds exit rates and jump probabilities from either `meanDwell` (+ `next` weights) or `ratesPerHour`. */
export function markovStates(spec: z.output<typeof markovSignal>): State[] {
  const index = new Map(spec.states.map((s, i) => [s.name, i]))
  return spec.states.map((s, i) => {
    let weights: [number, number][]
    let rate: number
    if (s.ratesPerHour !== undefined) {
      weights = Object.entries(s.ratesPerHour).map(([n, r]) => [index.get(n)!, r])
      rate = weights.reduce((a, [, r]) => a + r, 0) / HOUR_MS
    } else {
      const next = s.next ?? Object.fromEntries(spec.states.filter((_, j) => j !== i).map((o) => [o.name, 1]))
      weights = Object.entries(next).map(([n, w]) => [index.get(n)!, w])
      rate = s.meanDwell === undefined ? 0 : 1 / s.meanDwell
    }
    weights = weights.filter(([, w]) => w > 0)
    const total = weights.reduce((a, [, w]) => a + w, 0)
    if (total === 0) rate = 0
    let acc = 0
    return { value: s.value, rate, targets: weights.map(([j]) => j), cumulative: weights.map(([, w]) => (acc += w / total)) }
  })
}

/**
 * Continuous-time Markov chain: the holding time in a state is exponential with the state's exit rate,
 * the next state is drawn by the jump probabilities. Jump times are drawn from the stream ahead of the
 * samples, so the path is exact and the same for any sample times.
 */
export function markov(spec: z.output<typeof markovSignal>, streams: StreamFactory): Signal {
  const rng = streams('markov')
  const states = markovStates(spec)
  let current = spec.initial === undefined ? 0 : spec.states.findIndex((s) => s.name === spec.initial)
  const holding = (s: State) => (s.rate > 0 ? -Math.log(1 - rng.next()) / s.rate : Infinity)
  let nextJump = holding(states[current]!)
  return {
    at: (t) => {
      while (nextJump <= t) {
        const s = states[current]!
        const u = rng.next()
        let k = s.cumulative.findIndex((c) => u < c)
        if (k < 0) k = s.targets.length - 1
        current = s.targets[k]!
        nextJump += holding(states[current]!)
      }
      return states[current]!.value
    },
  }
}
