import type { z } from 'zod'
import type { correlatedSignal } from '../../spec/index.js'
import type { Signal, StreamFactory } from './signal.js'

/** `scale × source + offset + noise × N(0, 1)`, with `source` the clean value of an earlier sensor in the same sample. */
export function correlated(spec: z.output<typeof correlatedSignal>, streams: StreamFactory): Signal {
  const rng = spec.noise > 0 ? streams('correlated') : undefined
  return {
    at: (_t, peers) => {
      if (!peers) throw new Error(`correlated signal needs the value of sensor "${spec.source}"`)
      const v = spec.scale * peers(spec.source) + spec.offset
      return rng ? v + spec.noise * rng.normal() : v
    },
  }
}
