import seedrandom from 'seedrandom'

/**
 * Seeded random numbers. Every stream is derived from (run seed, owner, purpose) — e.g.
 * `(42, "th-0007", "signal")` — so streams are independent: adding a fault or a device never shifts
 * another device's values. Uses seedrandom's alea (fast; ~176M numbers/s here).
 */
export type RngPurpose = 'signal' | 'network' | 'faults' | 'boot' | 'firmware' | (string & {})

export interface Rng {
  /** Uniform in [0, 1). */
  next(): number
  /** Uniform in [min, max). */
  uniform(min: number, max: number): number
  /** Integer in [min, max] inclusive. */
  int(min: number, max: number): number
  /** Standard normal (mean 0, sd 1), Box–Muller. */
  normal(): number
  /** True with probability p. */
  chance(p: number): boolean
  pick<T>(items: readonly T[]): T
}

export function deriveStream(seed: number | string, owner: string, purpose: RngPurpose): Rng {
  return new AleaRng(seedrandom.alea(`${seed}\u241f${owner}\u241f${purpose}`, { state: true }).state())
}

/**
 * Alea as seedrandom seeds it (its Mash of the key gives the state), stepped here: seedrandom's
 * generator is a closure with three more function properties (~430 B a stream) and devices hold
 * several streams each, so at 10,000 devices the state is kept as four numbers instead (~60 B).
 * The same numbers as seedrandom's alea, draw for draw (tested). Methods on the prototype, not
 * closures per stream, for the same reason.
 */
class AleaRng implements Rng {
  private spare: number | undefined
  private s0: number
  private s1: number
  private s2: number
  private c: number

  constructor(state: { s0: number; s1: number; s2: number; c: number }) {
    this.s0 = state.s0
    this.s1 = state.s1
    this.s2 = state.s2
    this.c = state.c
  }

  /** Baagoe's Alea step, as seedrandom's `next`. */
  private prng(): number {
    const t = 2091639 * this.s0 + this.c * 2.3283064365386963e-10 // 2^-32
    this.s0 = this.s1
    this.s1 = this.s2
    this.c = t | 0
    return (this.s2 = t - this.c)
  }

  next(): number {
    return this.prng()
  }

  uniform(min: number, max: number): number {
    return min + (max - min) * this.prng()
  }

  int(min: number, max: number): number {
    return min + Math.floor(this.prng() * (max - min + 1))
  }

  normal(): number {
    if (this.spare !== undefined) {
      const s = this.spare
      this.spare = undefined
      return s
    }
    let u = 0
    while (u === 0) u = this.prng()
    const v = this.prng()
    const r = Math.sqrt(-2 * Math.log(u))
    this.spare = r * Math.sin(2 * Math.PI * v)
    return r * Math.cos(2 * Math.PI * v)
  }

  chance(p: number): boolean {
    return this.prng() < p
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('pick from an empty list')
    return items[Math.floor(this.prng() * items.length)]!
  }
}

/** Seeded Fisher–Yates sample of k distinct items, in the order drawn. */
export function sampleWithoutReplacement<T>(rng: Rng, items: readonly T[], k: number): T[] {
  const copy = items.slice()
  const n = Math.min(k, copy.length)
  for (let i = 0; i < n; i++) {
    const j = i + Math.floor(rng.next() * (copy.length - i))
    ;[copy[i], copy[j]] = [copy[j]!, copy[i]!]
  }
  return copy.slice(0, n)
}
