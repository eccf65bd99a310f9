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

  start(): void {
    this.loop.enable()
    this.runLoop.enable()
    this.lastCpu = process.cpuUsage()
    this.lastWall = monotonicMs()
  }

  /** Reads the interval since the previous sample (or start) and begins the next one. */
  sample(): ProcessSample {
    const mem = process.memoryUsage()
    const cpu = process.cpuUsage(this.lastCpu)
    const wall = monotonicMs()
    const wallMs = Math.max(1e-3, wall - this.lastWall)
    this.lastCpu = process.cpuUsage()
    this.lastWall = wall
    this.rssPeak = Math.max(this.rssPeak, mem.rss)
    this.heapPeak = Math.max(this.heapPeak, mem.heapUsed)
    const s: ProcessSample = {
      rssBytes: mem.rss,
      heapUsedBytes: mem.heapUsed,
      eventLoopLagP99Ms: nsToMs(this.loop.count > 0 ? this.loop.percentile(99) : 0),
      eventLoopLagMaxMs: nsToMs(this.loop.count > 0 ? this.loop.max : 0),
      cpu: (cpu.user + cpu.system) / 1000 / wallMs / this.cores,
    }
    this.loop.reset()
    return s
  }

  /** Whole-run event-loop delay percentiles, ms. */
  runLag(): { p99: number | null; max: number | null } {
    if (this.runLoop.count === 0) return { p99: null, max: null }
    return { p99: nsToMs(this.runLoop.percentile(99)), max: nsToMs(this.runLoop.max) }
  }

  stop(): void {
    this.loop.disable()
    this.runLoop.disable()
  }
}

const nsToMs = (ns: number) => Math.round(ns / 1e4) / 100
