import { availableParallelism } from 'node:os'
import { hiresEpochMs, monotonicMs, type Clock } from '../core/index.js'
import { DeliveryProbe, DurationHistogram, ProcessMonitor, type FleetMetrics, type ThreadHealth } from '../observability/index.js'
import type { RunReport, TimelinePoint } from '../outputs/index.js'
import type { SliValues } from '../spec/index.js'
import { decodeSparkplug } from '../telemetry/codecs/sparkplug.js'
import type { FleetStats } from './fleet-stats.js'
import { WireSeqs } from './wire-seqs.js'

/**
 * Telemetry topic → the device that publishes on it (deliveries are matched by topic). `sparkplug`:
 * the topic carries Sparkplug DDATA (protobuf), not JSON.
 */
export type TopicIndex = ReadonlyMap<string, { deviceId: string; profile: string; sparkplug?: boolean }>

/** `{"ts":1767225600000,"seq":42,…`: the JSON codec writes these two fields first, so a prefix match reads them. */
const JSON_HEAD = /^\{"ts":(-?\d+),"seq":(\d+)/

export interface SoakRecorderOptions {
  clock: Clock
  runStartMs: number
  metrics: FleetMetrics
  stats: FleetStats
  devices: number
  /** Timeline interval, clock ms. */
  intervalMs: number
  /** Grace around fault windows for explaining loss, duplicates and reordering (clock ms). */
  graceMs?: number
}

/**
 * Everything a soak run measures, in one place: the delivery probe (latency, loss, duplicates,
 * reordering against the fault log), connect and reconnect times, and a timeline of devices online,
 * message rates, latency and the process's own memory, event-loop lag and CPU. The fleet feeds it
 * events; at the end it gives the SLIs and the report's series.
 */
export class SoakRecorder {
  readonly probe: DeliveryProbe
  readonly connect = new DurationHistogram()
  readonly reconnect = new DurationHistogram()
  private readonly monitor = new ProcessMonitor()
  private readonly points: TimelinePoint[] = []
  private readonly connectingSince = new Map<string, number>()
  private readonly faultsOn = new Map<string, number>()
  private readonly lastFaultEnd = new Map<string, number>()
  private readonly graceMs: number
  /** Devices that went offline while a fault was on them. */
  private readonly knocked = new Set<string>()
  /** Devices offline since they dropped with no fault on them: when (clock ms). */
  private readonly droppedAt = new Map<string, number>()
  /** Devices waiting to be online again: when their fault ended, and its kind. */
  private readonly awaitingReconnect = new Map<string, { sinceMs: number; kind: string; profile: string }>()
  private published = 0
  private readonly wireSeqs = new WireSeqs()
  /** Connect attempts made while no fault was on the device (a broker that is down by design refuses). */
  private readonly attempts = { all: 0, ok: 0 }
  private lastTick = { atMs: 0, published: 0, delivered: 0 }
  private runCpu = { start: process.cpuUsage(), wall: 0 }
  private ended: { atMs: number; onlineAtEnd: number; notReconnected: number } | undefined

  constructor(private readonly o: SoakRecorderOptions) {
    this.graceMs = o.graceMs ?? 5_000
    this.probe = new DeliveryProbe({ graceMs: this.graceMs })
  }

  start(): void {
    this.monitor.start()
    this.runCpu = { start: process.cpuUsage(), wall: monotonicMs() }
    this.lastTick = { atMs: this.o.clock.now(), published: 0, delivered: 0 }
  }

  /**
   * A device published telemetry message `seq`; `wireSeq` is its Sparkplug seq, for Sparkplug devices.
   * `at`: when (clock ms, hires epoch ms), for a device in another thread (default: now).
   */
  telemetryPublished(deviceId: string, seq: number, wireSeq?: number, at?: { clockMs: number; hiresMs: number }): void {
    this.published++
    if (wireSeq !== undefined) this.wireSeqs.published(deviceId, wireSeq, seq)
    this.probe.published(deviceId, seq, at?.clockMs ?? this.o.clock.now(), at?.hiresMs ?? hiresEpochMs())
  }

  /**
   * A message the broker routed (or a probe subscriber received) at `atHiresMs` (hires epoch ms, see
   * core/clock: comparable across threads); non-telemetry topics are ignored.
   */
  delivery(index: TopicIndex, topic: string, payload: Buffer | string, atHiresMs = hiresEpochMs()): void {
    const dev = index.get(topic)
    if (!dev) return
    const read = dev.sparkplug ? this.readSparkplug(dev.deviceId, payload) : readJsonHead(payload)
    if (!read) return this.probe.undecodable()
    const latencyMs = this.probe.delivered(dev.deviceId, read.seq, read.ts, this.o.clock.now(), atHiresMs)
    if (latencyMs !== undefined) this.o.metrics.observeLatency(dev.profile, latencyMs / 1000)
  }

  /** A DDATA's telemetry seq (from its wire seq) and timestamp; undefined when it does not decode. */
  private readSparkplug(deviceId: string, payload: Buffer | string): { seq: number; ts: number | undefined } | undefined {
    const d = decodeSparkplug(typeof payload === 'string' ? Buffer.from(payload, 'latin1') : payload)
    if (!d.ok || d.payload.seq === undefined) return undefined
    const seq = this.wireSeqs.delivered(deviceId, d.payload.seq)
    return seq === undefined ? undefined : { seq, ts: d.payload.timestamp }
  }

  /** A device shard's own heap and event-loop lag (its thread's health counts as the emulator's). */
  threadHealth(thread: number, h: ThreadHealth): void {
    this.monitor.reportThread(thread, h)
  }

  connectAttempt(deviceId: string, success: boolean): void {
    // A fault's effect outlasts its window by a little (a restarted broker takes a moment to listen).
    const ended = this.lastFaultEnd.get(deviceId)
    if ((this.faultsOn.get(deviceId) ?? 0) > 0 || (ended !== undefined && this.o.clock.now() - ended <= this.graceMs)) return
    this.attempts.all++
    if (success) this.attempts.ok++
  }

  /** `atMs`: when it changed, for a device in another thread (default: now). */
  connectivityChanged(deviceId: string, profile: string, from: string, to: string, atMs?: number): void {
    const now = atMs ?? this.o.clock.now()
    if (to === 'connecting') this.connectingSince.set(deviceId, now)
    if (to === 'online') {
      this.droppedAt.delete(deviceId)
      const since = this.connectingSince.get(deviceId)
      this.connectingSince.delete(deviceId)
      if (since !== undefined) {
        this.connect.record(now - since)
        this.o.metrics.connectDuration.observe({ profile }, (now - since) / 1000)
      }
      const waiting = this.awaitingReconnect.get(deviceId)
      if (waiting) {
        this.awaitingReconnect.delete(deviceId)
        this.recordReconnect(now - waiting.sinceMs, waiting.profile, waiting.kind)
      }
    }
    if (from !== 'online') return
    if ((this.faultsOn.get(deviceId) ?? 0) > 0) this.knocked.add(deviceId)
    else this.droppedAt.set(deviceId, now)
  }

  faultStarted(deviceId: string, atMs: number): void {
    this.faultsOn.set(deviceId, (this.faultsOn.get(deviceId) ?? 0) + 1)
    // A broker-wide fault reaches a device before its own start when another thread applied it first
    // (device shards each apply the plan; the first to restart the broker drops everyone). A drop within
    // the grace before the fault reached the device counts as the fault's, like loss does in the probe.
    const dropped = this.droppedAt.get(deviceId)
    if (dropped !== undefined && atMs - dropped <= this.graceMs) this.knocked.add(deviceId)
    this.probe.faultStarted(deviceId, atMs)
  }

  /** A fault ended on a device that is `online` or not; truncated ones (the run stopped) measure nothing. */
  faultEnded(deviceId: string, profile: string, kind: string, atMs: number, online: boolean, truncated: boolean): void {
    const n = (this.faultsOn.get(deviceId) ?? 1) - 1
    if (n > 0) this.faultsOn.set(deviceId, n)
    else this.faultsOn.delete(deviceId)
    this.probe.faultEnded(deviceId, atMs)
    this.lastFaultEnd.set(deviceId, atMs)
    if (truncated || n > 0 || !this.knocked.delete(deviceId)) return
    // Knocked offline and already back before the fault ended: it reconnected as soon as it could.
    if (online) this.recordReconnect(0, profile, kind)
    else this.awaitingReconnect.set(deviceId, { sinceMs: atMs, kind, profile })
  }

  private recordReconnect(ms: number, profile: string, kind: string): void {
    this.reconnect.record(ms)
    this.o.metrics.reconnectDuration.observe({ profile, kind }, ms / 1000)
  }

  /** Takes one timeline point (the fleet calls this every `intervalMs` of clock time). */
  tick(): void {
    const now = this.o.clock.now()
    const sec = Math.max(1e-3, (now - this.lastTick.atMs) / 1000)
    const delivered = this.probe.counts.delivered
    const lat = this.probe.takeInterval()
    const p = this.monitor.sample()
    const online = this.o.stats.inState('connectivity', 'online')
    const connecting = this.o.stats.inState('connectivity', 'connecting')
    this.points.push({
      tMs: now - this.o.runStartMs,
      online,
      connecting,
      offline: this.o.devices - online - connecting,
      publishedPerSec: round((this.published - this.lastTick.published) / sec, 1),
      deliveredPerSec: round((delivered - this.lastTick.delivered) / sec, 1),
      latencyP50Ms: lat.percentile(50),
      latencyP95Ms: lat.percentile(95),
      latencyP99Ms: lat.percentile(99),
      rssBytes: p.rssBytes,
      heapUsedBytes: p.heapUsedBytes,
      eventLoopLagP99Ms: p.eventLoopLagP99Ms,
      cpu: round(p.cpu, 4),
    })
    this.lastTick = { atMs: now, published: this.published, delivered }
  }

  /** Marks the end of the measured run (before devices disconnect for the stop). */
  endOfRun(): void {
    if (this.ended) return
    if (this.o.clock.now() - this.lastTick.atMs >= this.o.intervalMs / 10) this.tick()
    this.ended = { atMs: this.o.clock.now(), onlineAtEnd: this.o.stats.inState('connectivity', 'online'), notReconnected: this.awaitingReconnect.size }
  }

  /** Closes the accounting (after devices stopped and in-flight messages drained); returns the SLIs. */
  finish(elapsedMs: number): SliValues {
    this.endOfRun()
    const c = this.probe.finish()
    this.monitor.stop()
    const s = this.o.stats
    const d = this.o.devices
    const cpu = process.cpuUsage(this.runCpu.start)
    const wallMs = Math.max(1, monotonicMs() - this.runCpu.wall)
    const lag = this.monitor.runLag()
    const ended = this.ended!
    return {
      connect_success_rate: this.attempts.all === 0 ? null : this.attempts.ok / this.attempts.all,
      connect_p50: this.connect.percentile(50),
      connect_p95: this.connect.percentile(95),
      connect_p99: this.connect.percentile(99),
      reconnects: this.reconnect.count,
      reconnect_p50: this.reconnect.percentile(50),
      reconnect_p95: this.reconnect.percentile(95),
      reconnect_p99: this.reconnect.percentile(99),
      reconnect_max: this.reconnect.max,
      not_reconnected: ended.notReconnected,
      online_at_end_rate: d === 0 ? null : ended.onlineAtEnd / d,
      all_online_after: s.allOnlineAtMs ?? null,
      latency_p50: this.probe.latency.percentile(50),
      latency_p95: this.probe.latency.percentile(95),
      latency_p99: this.probe.latency.percentile(99),
      unfaulted_latency_p50: this.probe.unfaultedLatency.percentile(50),
      unfaulted_latency_p95: this.probe.unfaultedLatency.percentile(95),
      unfaulted_latency_p99: this.probe.unfaultedLatency.percentile(99),
      latency_max: this.probe.latency.max,
      messages_published: c.published,
      messages_delivered: c.delivered,
      delivered_per_second: elapsedMs > 0 ? round((c.delivered * 1000) / elapsedMs, 1) : null,
      loss: c.lost,
      loss_rate: c.published === 0 ? null : c.lost / c.published,
      unexplained_loss: c.unexplainedLost,
      duplicates: c.duplicates,
      unexplained_duplicates: c.unexplainedDuplicates,
      reordered: c.reordered,
      unexplained_reordered: c.unexplainedReordered,
      dropped_offline: s.droppedOffline,
      rss_peak: this.monitor.rssPeak || null,
      rss_per_device: d === 0 || !this.monitor.rssPeak ? null : Math.round(this.monitor.rssPeak / d),
      rss_growth: this.rssGrowth(),
      heap_peak: this.monitor.heapPeak || null,
      event_loop_lag_p99: lag.p99,
      event_loop_lag_max: lag.max,
      cpu_utilisation: round((cpu.user + cpu.system) / 1000 / wallMs / availableParallelism(), 4),
    }
  }

  /**
   * RSS growth after warm-up: warm-up ends when every device was online, and not before a fifth of
   * the run; growth compares the mean RSS of the first and the last tenth of the points after it.
   */
  private rssGrowth(): number | null {
    const warmFrom = Math.max(this.o.stats.allOnlineAtMs ?? Infinity, (this.ended!.atMs - this.o.runStartMs) / 5)
    const after = this.points.filter((p) => p.tMs >= warmFrom)
    if (after.length < 10) return null
    const k = Math.max(1, Math.floor(after.length / 10))
    const mean = (xs: TimelinePoint[]) => xs.reduce((n, p) => n + p.rssBytes, 0) / xs.length
    const first = mean(after.slice(0, k))
    return round((mean(after.slice(-k)) - first) / first, 4)
  }

  timeline(): RunReport['timeline'] {
    return { intervalMs: this.o.intervalMs, points: this.points }
  }

  distributions(): RunReport['distributions'] {
    return { connectMs: this.connect.buckets(), reconnectMs: this.reconnect.buckets(), latencyMs: this.probe.latency.buckets() }
  }
}

function readJsonHead(payload: Buffer | string): { seq: number; ts: number } | undefined {
  const m = JSON_HEAD.exec(typeof payload === 'string' ? payload.slice(0, 64) : payload.toString('latin1', 0, 64))
  return m ? { seq: Number(m[2]), ts: Number(m[1]) } : undefined
}

const round = (x: number, digits: number) => Math.round(x * 10 ** digits) / 10 ** digits

