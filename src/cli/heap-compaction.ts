import { InvalidArgumentError } from 'commander'
import { constants, PerformanceObserver } from 'node:perf_hooks'
import { getHeapSpaceStatistics, setFlagsFromString } from 'node:v8'
import { RealClock } from '../core/index.js'

/** `--heap-compaction`: `auto` (the default), `always` or `v8` (V8's own choice of pages). */
export type HeapCompaction = 'auto' | 'always' | 'v8'

export function heapCompactionArg(value: string): HeapCompaction {
  if (value === 'auto' || value === 'always' || value === 'v8') return value
  throw new InvalidArgumentError(`expected auto, always or v8, got "${value}"`)
}

/** The old generation right after a full collection. */
export interface OldSpaceReading {
  sizeBytes: number
  usedBytes: number
}

export interface WaveCompactorOptions {
  /** Free room over the steady floor that counts as a wave's leftovers: at least this many bytes… */
  slackBytes: number
  /** …and at least this share of the floor. */
  slackRatio: number
  /** Plain full collections between two compactions at the least (bounds the pauses). */
  cooldown: number
  /** Full collections a request stays on for when the first did not compact (marking had begun). */
  attempts: number
  /**
   * How long a request waits before the flag goes on. The collection that finds a wave's leftovers
   * comes while the wave is still on; compacting in it adds its pause to the backlog the wave made.
   */
  settleMs: number
}

export const WAVE_COMPACTOR_DEFAULTS: WaveCompactorOptions = { slackBytes: 64 << 20, slackRatio: 0.25, cooldown: 3, attempts: 2, settleMs: 15_000 }

/** Runs `fn` after `ms`; returns what cancels it. */
export type Schedule = (fn: () => void, ms: number) => () => void

/** Wall time: what the wave's heap does is the process's, whatever the run clock's speed. */
const wallTimer: Schedule = (fn, ms) => {
  const wall = new RealClock()
  const timer = wall.setTimeout(fn, ms)
  return () => wall.clearTimeout(timer)
}

/**
 * Decides, after each full collection, whether the next one should compact the whole old generation.
 *
 * Why: V8 evacuates only pages that are mostly empty, a few MB a collection. A reconnect wave (a broker
 * restart of 10,000 devices) promotes hundreds of MB of short-lived connect state among the new
 * sessions' long-lived objects, and the pages they share stay committed: in the soak fleet the old
 * generation stood at 745 MB after the restart's collections against 490 before, with the same ~260 MB
 * live, and gave back 15–50 MB a collection — about ten minutes to the floor (bench/README.md, "Where
 * it stands (2026-12-07)"). One full compaction takes it straight back, for one pause of ~250 ms, where
 * compacting at every full collection costs that pause every ~20 s.
 *
 * How it tells a wave: the free room left in the old generation after a plain full collection is
 * steady between waves (its floor is the least seen); a collection that leaves more than the floor
 * plus the slack asks for a compaction. The request waits {@link WaveCompactorOptions.settleMs} (the
 * wave's reconnects are over by then), then stays on until a collection brings the free room back to
 * the floor, or for {@link WaveCompactorOptions.attempts} collections.
 */
export class WaveCompactor {
  private floorFreeBytes = Infinity
  private requestedFor = 0
  private plainSinceCompaction = Infinity
  private compactions = 0
  private cancelSettle: (() => void) | undefined

  constructor(
    private readonly setCompaction: (on: boolean) => void,
    private readonly o: WaveCompactorOptions = WAVE_COMPACTOR_DEFAULTS,
    private readonly schedule: Schedule = wallTimer,
  ) {}

  /** How many compactions it has asked for. */
  get requested(): number {
    return this.compactions
  }

  /** Drops a request still waiting and clears the flag if one is on. */
  stop(): void {
    this.cancelSettle?.()
    this.cancelSettle = undefined
    if (this.requestedFor > 0) this.setCompaction(false)
    this.requestedFor = 0
  }

  afterFullCollection(oldSpace: OldSpaceReading): void {
    if (this.cancelSettle) return // a request is waiting out its wave
    const free = oldSpace.sizeBytes - oldSpace.usedBytes
    if (this.requestedFor > 0) {
      this.requestedFor--
      if (free > this.floorFreeBytes && this.requestedFor > 0) return
      this.requestedFor = 0
      this.plainSinceCompaction = 0
      this.setCompaction(false)
      return
    }
    this.plainSinceCompaction++
    const threshold = this.floorFreeBytes + Math.max(this.o.slackBytes, this.floorFreeBytes * this.o.slackRatio)
    if (free > threshold && this.plainSinceCompaction >= this.o.cooldown) {
      this.compactions++
      this.cancelSettle = this.schedule(() => {
        this.cancelSettle = undefined
        this.requestedFor = this.o.attempts
        this.setCompaction(true)
      }, this.o.settleMs)
      return
    }
    this.floorFreeBytes = Math.min(this.floorFreeBytes, free)
  }
}

export function setCompactOnEveryFullGc(on: boolean): void {
  setFlagsFromString(on ? '--compact-on-every-full-gc' : '--no-compact-on-every-full-gc')
}

function oldSpaceNow(): OldSpaceReading {
  const old = getHeapSpaceStatistics().find((s) => s.space_name === 'old_space')
  return { sizeBytes: old?.space_size ?? 0, usedBytes: old?.space_used_size ?? 0 }
}

/**
 * Applies `--heap-compaction` to a fleet about to start; returns what undoes it. `auto`: a
 * {@link WaveCompactor} fed by this thread's full collections from the moment every device is online
 * (the connect ramp is a wave of its own and sets no floor). It watches this thread's heap — the
 * devices' and, on two cores, the broker's — and V8's flag is process-wide, so a device worker's
 * collection in the same window compacts too. `always`: every full collection compacts (the least
 * RSS between collections, a pause of ~250 ms at each). `v8`: nothing is set.
 */
export function applyHeapCompaction(
  mode: HeapCompaction,
  fleet: { once(event: 'online', listener: () => void): unknown },
  set: (on: boolean) => void = setCompactOnEveryFullGc,
  readOldSpace: () => OldSpaceReading = oldSpaceNow,
  schedule: Schedule = wallTimer,
): () => void {
  if (mode === 'v8') return () => {}
  if (mode === 'always') {
    set(true)
    return () => set(false)
  }
  const compactor = new WaveCompactor(set, WAVE_COMPACTOR_DEFAULTS, schedule)
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      if (((entry as { detail?: { kind?: number } }).detail)?.kind === constants.NODE_PERFORMANCE_GC_MAJOR) compactor.afterFullCollection(readOldSpace())
    }
  })
  let state: 'waiting' | 'watching' | 'stopped' = 'waiting'
  fleet.once('online', () => {
    if (state !== 'waiting') return
    observer.observe({ entryTypes: ['gc'] })
    state = 'watching'
  })
  return () => {
    if (state === 'watching') observer.disconnect()
    state = 'stopped'
    compactor.stop()
  }
}
