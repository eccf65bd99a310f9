// The JS histograms alone: the package's index also loads its WebAssembly build, pako and the log
// codecs, ~8 MB of RSS in every thread that records durations, none of it used here.
import { constructorFromBucketSize } from 'hdr-histogram-js/dist/JsHistogramFactory.js'
import type { Histogram } from 'hdr-histogram-js'

/** What `build({ bitBucketSize: 32 })` makes: 32-bit counts, enough for any run's messages per bucket. */
const Int32Histogram = constructorFromBucketSize(32)

function newHistogram(): Histogram {
  const h = new Int32Histogram(1, 3_600_000_000, 3)
  h.autoResize = true
  return h
}

/** Bucket upper bounds for plots, ms: 1-2-5 steps from 0.1 ms to ~28 hours. */
const PLOT_BOUNDS_MS: readonly number[] = (() => {
  const out: number[] = []
  for (let decade = 0.1; decade < 1e8; decade *= 10) for (const m of [1, 2, 5]) out.push(Math.round(decade * m * 1000) / 1000)
  return out
})()

/**
 * Durations in an HDR histogram (3 significant digits, values kept in microseconds so sub-millisecond
 * latencies are not rounded away), read back in milliseconds. Memory is fixed by the value range, not
 * by how many values are recorded, so it can take every message of a 10k-device soak.
 */
export class DurationHistogram {
  private readonly h: Histogram = newHistogram()

  record(ms: number): void {
    if (!(ms >= 0)) ms = 0
    this.h.recordValue(Math.round(ms * 1000))
  }

  get count(): number {
    return this.h.totalCount
  }

  /** The value at percentile `p` (0–100), ms; null when empty. */
  percentile(p: number): number | null {
    return this.h.totalCount === 0 ? null : this.h.getValueAtPercentile(p) / 1000
  }

  get max(): number | null {
    return this.h.totalCount === 0 ? null : this.h.maxValue / 1000
  }

  add(other: DurationHistogram): void {
    this.h.add(other.h)
  }

  reset(): void {
    this.h.reset()
  }

  /**
   * Counts per plot bucket, `[upper bound ms, count]`, from the first to the last non-empty bucket;
   * empty when nothing was recorded. Each recorded value goes to the first bound ≥ it.
   */
  buckets(): [number, number][] {
    if (this.h.totalCount === 0) return []
    const counts = new Array<number>(PLOT_BOUNDS_MS.length + 1).fill(0)
    const it = (this.h as unknown as { recordedValuesIterator: RecordedValues }).recordedValuesIterator
    it.reset()
    while (it.hasNext()) {
      const v = it.next()
      const ms = v.valueIteratedTo / 1000
      let i = PLOT_BOUNDS_MS.findIndex((b) => ms <= b)
      if (i < 0) i = PLOT_BOUNDS_MS.length
      counts[i]! += v.countAtValueIteratedTo
    }
    const first = counts.findIndex((c) => c > 0)
    let last = counts.length - 1
    while (counts[last] === 0) last--
    const out: [number, number][] = []
    for (let i = first; i <= last; i++) out.push([PLOT_BOUNDS_MS[i] ?? this.max!, counts[i]!])
    return out
  }
}

interface RecordedValues {
  reset(): void
  hasNext(): boolean
  next(): { valueIteratedTo: number; countAtValueIteratedTo: number }
}
