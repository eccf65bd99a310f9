import { availableParallelism } from 'node:os'
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks'
import { monotonicMs } from '../core/index.js'

export interface ProcessSample {
  rssBytes: number
  heapUsedBytes: number
  /** Event-loop delay over the interval, ms (p99 and max). */
  eventLoopLagP99Ms: number
  eventLoopLagMaxMs: number
  /** Process CPU time over the interval as a fraction of all cores (0–1). */
  cpu: number
}

/** What another thread of the process (a device shard) reports of itself, each second or so. */
export interface ThreadHealth {
  heapUsedBytes: number
  /** Its event-loop delay over its last interval, ms. */
  lagP99Ms: number
  lagMaxMs: number
  /** Its whole-run event-loop delay so far, ms. */
  runLagP99Ms: number | null
  runLagMaxMs: number | null
}

/**
 * The emulator's own health, sampled per interval: memory, event-loop lag and CPU. A soak run must
 * show the load generator was not the bottleneck, so these go in the report beside the fleet's SLIs.
 */
export class ProcessMonitor {
  private readonly loop: IntervalHistogram = monitorEventLoopDelay({ resolution: 10 })
  /** Whole-run event-loop delay (ns), for the run's SLIs. */
  private readonly runLoop: IntervalHistogram = monitorEventLoopDelay({ resolution: 10 })
  private lastCpu = process.cpuUsage()
  private lastWall = monotonicMs()
  private readonly cores = availableParallelism()
  rssPeak = 0
  heapPeak = 0
  /** The latest health of other threads with devices (device shards), by thread. */
  private readonly threads = new Map<number, ThreadHealth>()

  start(): void {
    this.loop.enable()
    this.runLoop.enable()
    this.lastCpu = process.cpuUsage()
    this.lastWall = monotonicMs()
  }

  /**
   * Another thread's latest health: its heap counts in `heapUsedBytes`, its event-loop lag in the
   * lag figures (the worst thread's), since a device shard's stalls delay its devices as the main
   * thread's would.
   */
  reportThread(thread: number, h: ThreadHealth): void {
    this.threads.set(thread, h)
  }

  /** Reads the interval since the previous sample (or start) and begins the next one. */
  sample(): ProcessSample {
    const mem = process.memoryUsage()
    const cpu = process.cpuUsage(this.lastCpu)
    const wall = monotonicMs()
    const wallMs = Math.max(1e-3, wall - this.lastWall)
    this.lastCpu = process.cpuUsage()
    this.lastWall = wall
    let heap = mem.heapUsed
    let lagP99 = nsToMs(this.loop.count > 0 ? this.loop.percentile(99) : 0)
    let lagMax = nsToMs(this.loop.count > 0 ? this.loop.max : 0)
    for (const t of this.threads.values()) {
      heap += t.heapUsedBytes
      lagP99 = Math.max(lagP99, t.lagP99Ms)
      lagMax = Math.max(lagMax, t.lagMaxMs)
    }
    this.rssPeak = Math.max(this.rssPeak, mem.rss)
    this.heapPeak = Math.max(this.heapPeak, heap)
    const s: ProcessSample = {
      rssBytes: mem.rss,
      heapUsedBytes: heap,
      eventLoopLagP99Ms: lagP99,
      eventLoopLagMaxMs: lagMax,
      cpu: (cpu.user + cpu.system) / 1000 / wallMs / this.cores,
    }
    this.loop.reset()
    return s
  }

  /** Whole-run event-loop delay percentiles, ms. */
  runLag(): { p99: number | null; max: number | null } {
    let p99: number | null = this.runLoop.count === 0 ? null : nsToMs(this.runLoop.percentile(99))
    let max: number | null = this.runLoop.count === 0 ? null : nsToMs(this.runLoop.max)
    for (const t of this.threads.values()) {
      if (t.runLagP99Ms !== null) p99 = Math.max(p99 ?? 0, t.runLagP99Ms)
      if (t.runLagMaxMs !== null) max = Math.max(max ?? 0, t.runLagMaxMs)
    }
    return { p99, max }
  }

  stop(): void {
    this.loop.disable()
    this.runLoop.disable()
  }
}

const nsToMs = (ns: number) => Math.round(ns / 1e4) / 100
