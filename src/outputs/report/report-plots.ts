import { escapeHtml } from '../dataset/preview.js'
import { distributionPlot } from './report-distribution-plot.js'
import { formatMsShort } from './report-format.js'
import { formatDuration } from '../../core/index.js'
import type { RunReport, TimelinePoint } from './report-types.js'
import { hasData, timePlot, type Band, type LineSeries, type TimePlotSpec } from './report-time-plot.js'

/**
 * Fault kind colours, given to kinds in sorted order (the same kinds get the same colours in every
 * report). None of them is a device-state colour (green, orange, red), so a band never reads as a line.
 */
const FAULT_PALETTE = ['#9467bd', '#1f77b4', '#8c564b', '#e377c2', '#17becf', '#bcbd22', '#7f7f7f', '#393b79']

export function faultColors(report: RunReport): (kind: string) => string {
  const kinds = [...new Set(report.faults.map((f) => f.kind))].sort()
  return (kind) => FAULT_PALETTE[Math.max(0, kinds.indexOf(kind)) % FAULT_PALETTE.length]!
}

/** The x axis spans the run as it happened: to its end, or its last point if that came later. */
export function spanOf(report: RunReport): number {
  const last = report.timeline.points[report.timeline.points.length - 1]?.tMs ?? 0
  return Math.max(report.run.elapsedMs, last, 1)
}

const MiB = 1024 * 1024

function series(points: TimelinePoint[], key: string, label: string, color: string, value: (p: TimelinePoint) => number | null, dash = false): LineSeries {
  return { key, label, color, dash, points: points.map((p) => [p.tMs, value(p)]) }
}

function figure(id: string, title: string, meta: string, body: string): string {
  return `<section class="figure" id="plot-${id}"><h3>${escapeHtml(title)}</h3><p class="meta">${meta}</p>${body}</section>`
}

function note(id: string, text: string): string {
  return `<p class="empty" data-plot="${id}">${escapeHtml(text)}</p>`
}

/** The plots of report.html, in reading order: devices and faults, messages, latency, distributions, process. */
export function renderPlots(report: RunReport): string {
  const pts = report.timeline.points
  const span = spanOf(report)
  const color = faultColors(report)
  const bands: Band[] = report.faults.map((f) => ({ ...f, color: color(f.kind) }))
  const every = `one point per ${formatDuration(report.timeline.intervalMs)}`
  const noPoints = 'no timeline points: the run ended before its first interval'
  const time = (id: string, title: string, meta: string, spec: Omit<TimePlotSpec, 'id' | 'spanMs' | 'bands'>, empty = noPoints) =>
    figure(id, title, meta, hasData(spec.series) ? timePlot({ id, spanMs: span, bands, ...spec }) : note(id, empty))

  const out: string[] = []
  out.push(
    time('devices', 'Devices online, connecting and offline', `${every}; fault occurrences shaded by kind (hover a band for its window and device count)`, {
      label: 'Devices online, connecting and offline over time, with the fault timeline',
      yTitle: 'devices',
      yMax: Math.max(report.run.devices, ...pts.map((p) => p.online + p.connecting + p.offline)) * 1.04,
      labelBands: true,
      height: 320,
      series: [
        series(pts, 'online', 'online', '#2ca02c', (p) => p.online),
        series(pts, 'connecting', 'connecting', '#ff7f0e', (p) => p.connecting),
        series(pts, 'offline', 'offline', '#d62728', (p) => p.offline),
      ],
    }),
  )
  out.push(
    time('messages', 'Message rate', `${every}; telemetry messages per second, as devices handed them to MQTT and as the probe saw them delivered`, {
      label: 'Messages published and delivered per second over time',
      yTitle: 'messages/s',
      series: [{ ...series(pts, 'published', 'published/s', '#9ecae1', (p) => p.publishedPerSec), width: 3.5 }, series(pts, 'delivered', 'delivered/s', '#08519c', (p) => p.deliveredPerSec)],
    }),
  )
  out.push(
    time(
      'latency',
      'End-to-end latency',
      `${every}; percentiles of the messages delivered in each interval (device publish → broker delivery); gaps are intervals with no delivery`,
      {
        label: 'Latency p50, p95 and p99 over time',
        yTitle: 'latency (log scale)',
        yScale: 'log',
        yFormat: formatMsShort,
        series: [
          series(pts, 'latency-p50', 'p50', '#1f77b4', (p) => p.latencyP50Ms),
          series(pts, 'latency-p95', 'p95', '#ff7f0e', (p) => p.latencyP95Ms),
          series(pts, 'latency-p99', 'p99', '#d62728', (p) => p.latencyP99Ms),
        ],
      },
      pts.length === 0 ? noPoints : 'no message was delivered in this run',
    ),
  )

  const s = report.slis
  const dist = (id: string, title: string, meta: string, yTitle: string, colour: string, buckets: [number, number][], prefix: 'connect' | 'reconnect' | 'latency', empty: string) =>
    figure(
      id,
      title,
      meta,
      buckets.length === 0
        ? note(id, empty)
        : distributionPlot({
            id,
            label: `${title}: histogram with p50, p95 and p99`,
            yTitle,
            color: colour,
            buckets,
            markers: (['50', '95', '99'] as const).map((p) => ({ label: `p${p}`, ms: s[`${prefix}_p${p}`] ?? null })),
          }),
    )
  out.push(
    dist('reconnect-distribution', 'Reconnect time', 'from the end of the fault that took a device offline to the device being online again; one per device per fault', 'reconnects', '#9467bd', report.distributions.reconnectMs, 'reconnect', 'no reconnects in this run: no fault took a device offline'),
    dist('connect-distribution', 'Connect time', 'from a connect attempt starting to the device being online, every attempt that succeeded', 'connects', '#2ca02c', report.distributions.connectMs, 'connect', 'no device connected in this run'),
    dist('latency-distribution', 'Latency', 'end-to-end latency of every delivered message', 'messages', '#1f77b4', report.distributions.latencyMs, 'latency', 'no message was delivered in this run'),
  )

  out.push(
    time('memory', 'Memory', `${every}; the emulator process's resident set size and V8 heap used`, {
      label: 'Process memory (RSS and heap used, MiB) over time',
      yTitle: 'MiB',
      series: [series(pts, 'rss', 'RSS', '#1f77b4', (p) => p.rssBytes / MiB), series(pts, 'heap', 'heap used', '#9467bd', (p) => p.heapUsedBytes / MiB, true)],
    }),
    time('event-loop-lag', 'Event-loop lag', `${every}; 99th percentile of the main event loop's delay in each interval — high lag delays every device timer`, {
      label: 'Event-loop lag p99 (ms) over time',
      yTitle: 'lag p99 (ms)',
      height: 220,
      series: [series(pts, 'event-loop-lag', 'event-loop lag p99', '#8c564b', (p) => p.eventLoopLagP99Ms)],
    }),
    time('cpu', 'CPU', `${every}; process CPU time as a share of all ${report.run.cpus} core${report.run.cpus === 1 ? '' : 's'}`, {
      label: 'Process CPU utilisation (% of all cores) over time',
      yTitle: '% of all cores',
      height: 220,
      series: [series(pts, 'cpu', 'CPU', '#17becf', (p) => p.cpu * 100)],
    }),
  )
  return out.join('\n')
}
