import type { SliValues, ThresholdVerdict } from '../../spec/index.js'

/** Defined beside the thresholds it judges (src/spec/thresholds.ts); re-exported for report readers. */
export type { ThresholdVerdict }

/** report.json: everything a soak run measured, its thresholds and verdicts, and the series plotted. */
export interface RunReport {
  /** Bumped when a field changes meaning; `fleet-emu report` refuses versions it does not know. */
  reportVersion: 1
  run: {
    fleet: string
    file: string
    seed: number
    /** complete: ran its duration; stopped: stop() early; interrupted: SIGINT/SIGTERM (the report is partial). */
    status: 'complete' | 'stopped' | 'interrupted'
    partial: boolean
    startedAt: string
    endedAt: string
    devices: number
    plannedDurationMs: number
    /** Clock ms the run lasted (scaled by `speed`). */
    elapsedMs: number
    speed: number
    brokerUrl: string
    links: 'tcp' | 'memory' | 'in-process'
    /** Where the devices and the embedded broker ran (absent in reports of fleet-emu before 2026-12-06). */
    threads?: string
    /** The heap tuning the run had, e.g. `--heap-growth auto:50 --heap-compaction always` (CLI runs from 2026-12-07). */
    heap?: string
    /** The Node flags the process ran with (process.execArgv, then NODE_OPTIONS), when there were any (from 2026-12-07). */
    nodeFlags?: string
    emulatorVersion: string
    node: string
    cpus: number
  }
  slis: SliValues
  thresholds: ThresholdVerdict[]
  /** fail when any threshold failed; pass when all passed; none when the fleet file declares none. */
  verdict: 'pass' | 'fail' | 'none'
  /** One point per interval, from run start. Rates are per second over the interval. */
  timeline: { intervalMs: number; points: TimelinePoint[] }
  /** Fault occurrences for the overlay: clock ms from run start, and how many devices each hit. */
  faults: { faultId: string; kind: string; startMs: number; endMs: number; devices: number }[]
  /** Histograms for the distribution plots: [upper bound ms, count] per bucket, ascending. */
  distributions: { connectMs: [number, number][]; reconnectMs: [number, number][]; latencyMs: [number, number][] }
}

export interface TimelinePoint {
  /** Clock ms since run start at the end of the interval. */
  tMs: number
  online: number
  connecting: number
  offline: number
  publishedPerSec: number
  deliveredPerSec: number
  /** Latency percentiles of messages delivered in this interval; null when none were. */
  latencyP50Ms: number | null
  latencyP95Ms: number | null
  latencyP99Ms: number | null
  rssBytes: number
  heapUsedBytes: number
  eventLoopLagP99Ms: number
  /** Process CPU over the interval as a fraction of all cores. */
  cpu: number
}
