import type { Rng } from '../core/index.js'

export type LazyPurpose = 'network' | 'firmware' | 'ota' | 'shaping'

/** Seeded streams by purpose, each derived the first time it is asked for (same numbers as eagerly). */
export class LazyStreams {
  private network: Rng | undefined
  private firmware: Rng | undefined
  private ota: Rng | undefined
  private shaping: Rng | undefined

  constructor(private readonly derive: (purpose: LazyPurpose) => Rng) {}

  get(purpose: LazyPurpose): Rng {
    return (this[purpose] ??= this.derive(purpose))
  }
}
