import type { RunReport, TimelinePoint } from '../../src/outputs/report/report-types.js'

/**
 * Realistic report.json fixtures: a 30-minute soak of 10,000 devices with a disconnect storm at
 * 10:00–10:30 (3,000 devices), extra latency on 1,000 devices at 14:00–16:00 and a broker restart at
 * 20:00–20:10 (every device), sampled every second — plus variants without reconnects, cut short, and
 * hours long. Deterministic (a small LCG), so tests can assert on exact shapes.
 */

const D = 10_000
const MiB = 1024 * 1024
const MIN = 60_000

export const STORM = { faultId: 'disconnect-storm', kind: 'disconnect', startMs: 10 * MIN, endMs: 10 * MIN + 30_000, devices: 3_000 }
export const SLOW = { faultId: 'slow-uplink', kind: 'latency', startMs: 14 * MIN, endMs: 16 * MIN, devices: 1_000 }
export const RESTART = { faultId: 'broker-restart-at-20m', kind: 'broker-restart', startMs: 20 * MIN, endMs: 20 * MIN + 10_000, devices: D }

function lcg(seed: number): () => number {
  let x = seed
  return () => (x = (x * 48271) % 2147483647) / 2147483647
}

/** Devices online at second t: a 46 s connect ramp, then dips for the disconnect and broker faults. */
function onlineAt(t: number, faults: RunReport['faults']): { online: number; connecting: number } {
  let online = Math.min(D, Math.floor(220 * t))
  let connecting = Math.min(D - online, 250)
  for (const f of faults) {
    const s = f.startMs / 1000
    const e = f.endMs / 1000
    const back = f.kind === 'broker-restart' ? 35 : 14
    if (f.kind !== 'disconnect' && f.kind !== 'broker-restart') continue
    if (t > s && t <= e) {
      online -= f.devices
      connecting = f.kind === 'broker-restart' ? 2_000 : 0
    } else if (t > e && t <= e + back) {
      const missing = Math.round(f.devices * (1 - (t - e) / back))
      online -= missing
      connecting = Math.min(missing, 1_500)
    }
  }
  return { online: Math.max(0, online), connecting }
}

export function timeline(durationS: number, faults: RunReport['faults'], seed = 7): TimelinePoint[] {
  const rnd = lcg(seed)
  const points: TimelinePoint[] = []
  for (let t = 1; t <= durationS; t++) {
    const { online, connecting } = onlineAt(t, faults)
    const ms = t * 1000
    const restart = faults.find((f) => f.kind === 'broker-restart' && ms > f.startMs && ms <= f.endMs)
    const afterRestart = faults.some((f) => f.kind === 'broker-restart' && ms > f.endMs && ms <= f.endMs + 5_000)
    const slow = faults.some((f) => f.kind === 'latency' && ms > f.startMs && ms <= f.endMs)
    const published = restart ? 0 : Math.round((online / 10) * (0.97 + 0.06 * rnd()) * 10) / 10
    const delivered = restart ? 0 : Math.round(published * (0.995 + 0.005 * rnd()) * 10) / 10
    const p50 = 4 + rnd()
    points.push({
      tMs: ms,
      online,
      connecting,
      offline: D - online - connecting,
      publishedPerSec: published,
      deliveredPerSec: delivered,
      latencyP50Ms: delivered === 0 ? null : Math.round(p50 * 100) / 100,
      latencyP95Ms: delivered === 0 ? null : Math.round((slow ? 780 : afterRestart ? 4_200 : 11 + 3 * rnd()) * 100) / 100,
      latencyP99Ms: delivered === 0 ? null : Math.round((slow ? 1_150 : afterRestart ? 9_400 : 24 + 12 * rnd()) * 100) / 100,
      rssBytes: Math.round((300 + Math.min(t, 60) * 0.6 + t * 0.008 + 3 * rnd()) * MiB),
      heapUsedBytes: Math.round((110 + ((t % 90) / 90) * 60 + 4 * rnd()) * MiB),
      eventLoopLagP99Ms: Math.round((afterRestart ? 120 : 9 + 5 * rnd()) * 10) / 10,
      cpu: Math.round((afterRestart ? 0.85 : 0.3 + 0.1 * rnd()) * 10_000) / 10_000,
    })
  }
  return points
}

function run(over: Partial<RunReport['run']> = {}): RunReport['run'] {
  return {
    fleet: 'soak-10k',
    file: 'fleets/soak-10k.fleet.yaml',
    seed: 42,
    status: 'complete',
    partial: false,
    startedAt: '2026-01-05T10:15:00.000Z',
    endedAt: '2026-01-05T10:45:01.320Z',
    devices: D,
    plannedDurationMs: 30 * MIN,
    elapsedMs: 30 * MIN,
    speed: 1,
    brokerUrl: 'mqtt://127.0.0.1:1883',
    links: 'memory',
    emulatorVersion: '0.1.0',
    node: 'v20.20.0',
    cpus: 2,
    ...over,
  }
}

/** The 30-minute soak: two thresholds fail (reconnect_p95, loss_rate), verdict fail. */
export function soakReport(): RunReport {
  const faults = [STORM, SLOW, RESTART]
  return {
    reportVersion: 1,
    run: run(),
    slis: {
      connect_success_rate: 0.9987,
      connect_p50: 38.2,
      connect_p95: 141,
      connect_p99: 412,
      reconnects: 13_000,
      reconnect_p50: 4_210,
      reconnect_p95: 12_300,
      reconnect_p99: 21_540,
      reconnect_max: 34_120,
      not_reconnected: 3,
      online_at_end_rate: 0.9997,
      all_online_after: 46_200,
      latency_p50: 4.31,
      latency_p95: 12.8,
      latency_p99: 88.4,
      latency_max: 10_412,
      unfaulted_latency_p50: 4.1,
      unfaulted_latency_p95: 11.2,
      unfaulted_latency_p99: 31.5,
      messages_published: 1_782_340,
      messages_delivered: 1_779_950,
      delivered_per_second: 988.9,
      loss: 2_390,
      loss_rate: 0.001341,
      unexplained_loss: 0,
      duplicates: 112,
      unexplained_duplicates: 0,
      reordered: 57,
      unexplained_reordered: 2,
      dropped_offline: 1_480,
      rss_peak: 356 * MiB,
      rss_per_device: 37_330,
      rss_growth: 0.041,
      heap_peak: 183 * MiB,
      event_loop_lag_p99: 14.2,
      event_loop_lag_max: 131,
      cpu_utilisation: 0.3821,
    },
    thresholds: [
      { sli: 'connect_success_rate', expression: '> 99%', actual: 0.9987, pass: true, detail: '99.87% > 99%' },
      { sli: 'reconnect_p95', expression: '< 10s', actual: 12_300, pass: false, detail: '12,300 ms is not < 10,000 ms' },
      { sli: 'latency_p99', expression: '< 200ms', actual: 88.4, pass: true, detail: '88.4 ms < 200 ms' },
      { sli: 'loss_rate', expression: '< 0.1%', actual: 0.001341, pass: false, detail: '0.1341% is not < 0.1%' },
      { sli: 'unexplained_loss', expression: '== 0', actual: 0, pass: true, detail: '0 == 0' },
    ],
    verdict: 'fail',
    timeline: { intervalMs: 1000, points: timeline(30 * 60, faults) },
    faults,
    distributions: {
      connectMs: [[10, 120], [20, 1_900], [50, 9_400], [100, 5_600], [200, 3_700], [500, 1_620], [1000, 495], [2000, 112], [5000, 8]],
      reconnectMs: [[500, 410], [1000, 1_200], [2000, 2_100], [5000, 3_400], [10000, 4_100], [20000, 1_500], [50000, 290]],
      latencyMs: [[1, 1_200], [2, 40_000], [5, 900_000], [10, 650_000], [20, 150_000], [50, 25_000], [100, 6_000], [200, 3_000], [500, 1_500], [1000, 2_400], [2000, 600], [5000, 200], [10000, 50], [20000, 2]],
    },
  }
}

/** A quiet run: no faults, so no reconnects (empty distribution, null reconnect SLIs) and no thresholds. */
export function quietReport(): RunReport {
  const r = soakReport()
  r.faults = []
  r.timeline.points = timeline(30 * 60, [])
  r.distributions.reconnectMs = []
  r.slis = { ...r.slis, reconnects: 0, reconnect_p50: null, reconnect_p95: null, reconnect_p99: null, reconnect_max: null, not_reconnected: 0 }
  r.thresholds = []
  r.verdict = 'none'
  return r
}

/** Ctrl-C at 12:34 of 30:00: partial, the broker restart never happened. */
export function partialReport(): RunReport {
  const r = soakReport()
  const cut = 12 * MIN + 34_000
  r.run = run({ status: 'interrupted', partial: true, elapsedMs: cut, endedAt: '2026-01-05T10:27:34.410Z' })
  r.faults = [STORM]
  r.timeline.points = timeline(cut / 1000, r.faults)
  return r
}

/** `hours` hours at one point per second: far past the point count the page draws as is. */
export function longReport(hours: number): RunReport {
  const r = soakReport()
  const ms = hours * 3_600_000
  r.run = run({ plannedDurationMs: ms, elapsedMs: ms })
  r.timeline.points = timeline(ms / 1000, r.faults)
  return r
}
