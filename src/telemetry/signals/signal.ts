import type { Rng } from '../../core/index.js'

/**
 * A signal generator for one sensor of one device. `at(tMs)` is called with non-decreasing times
 * (ms since the run started); generators with memory (random walk, counter) advance one step per
 * call, so the value sequence depends only on the seed and the sample times — never on wall time.
 */
export interface Signal {
  at(tMs: number, peers?: PeerValues): number
}

/** The clean values of the device's sensors read earlier in the same sample (for `correlated`). */
export type PeerValues = (sensor: string) => number

/** Gives a generator its seeded streams: `stream('route')` is the same for every sensor of a device. */
export type StreamFactory = (purpose: string) => Rng
