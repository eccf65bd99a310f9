import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname } from 'node:path'
import { errors } from '../../core/index.js'

/** One plotted series: points are [ts (epoch ms), reported value (null where dropped), clean value]. */
export interface PreviewSeries {
  device: string
  sensor: string
  points: [ts: number, value: number | null, clean: number][]
}

/** An anomaly window to shade: on every sensor of `device`, or on `sensor` only. */
export interface PreviewWindow {
  anomaly_id: string
  device: string
  sensor?: string
  start_ms: number
  end_ms: number
  type: string
}

export interface PreviewInput {
  title: string
  series: PreviewSeries[]
  windows: PreviewWindow[]
}

const W = 960
const H = 260
const M = { left: 64, right: 16, top: 30, bottom: 28 }
const PLOT_W = W - M.left - M.right
const PLOT_H = H - M.top - M.bottom
/** Past this many points a series is reduced to each pixel column's first, min, max and last point. */
const MAX_POINTS = PLOT_W * 4

/** Window colours, given to anomaly types in sorted order (so the same types get the same colours). */
const PALETTE = ['#d62728', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#bcbd22', '#17becf', '#2ca02c']

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!)
}

const f1 = (n: number) => (Math.round(n * 10) / 10).toFixed(1)

const TIME_STEPS_MS = [1, 5, 15, 30, 60, 300, 900, 1800, 3600, 10_800, 21_600, 43_200, 86_400, 172_800, 604_800].map((s) => s * 1000)

function timeTicks(t0: number, t1: number): { ticks: number[]; label: (t: number) => string } {
  const step = TIME_STEPS_MS.find((s) => (t1 - t0) / s <= 8) ?? TIME_STEPS_MS[TIME_STEPS_MS.length - 1]!
  const ticks: number[] = []
  for (let t = Math.ceil(t0 / step) * step; t <= t1; t += step) ticks.push(t)
  const label = (t: number) => {
    const iso = new Date(t).toISOString()
    if (step >= 86_400_000) return iso.slice(5, 10)
    if (step >= 60_000) return `${iso.slice(5, 10)} ${iso.slice(11, 16)}`
    return iso.slice(11, 19)
  }
  return { ticks, label }
}

export function valueTicks(lo: number, hi: number): number[] {
  const raw = (hi - lo) / 5
  const mag = 10 ** Math.floor(Math.log10(raw))
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag
  const ticks: number[] = []
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) ticks.push(Number(v.toPrecision(12)))
  return ticks
}

/** Keeps the shape (spikes included) of a long series: first, min, max, last point per pixel column. */
function decimate<T extends [number, number]>(points: T[], t0: number, span: number): T[] {
  if (points.length <= MAX_POINTS) return points
  const out: T[] = []
  let column = -1
  let bucket: T[] = []
  const flush = () => {
    if (bucket.length === 0) return
    let min = bucket[0]!
    let max = bucket[0]!
    for (const p of bucket) {
      if (p[1] < min[1]) min = p
      if (p[1] > max[1]) max = p
    }
    const keep = new Set([bucket[0]!, min, max, bucket[bucket.length - 1]!])
    for (const p of bucket) if (keep.has(p)) out.push(p)
    bucket = []
  }
  for (const p of points) {
    const c = Math.floor(((p[0] - t0) / span) * PLOT_W)
    if (c !== column) {
      flush()
      column = c
    }
    bucket.push(p)
  }
  flush()
  return out
}

/** An SVG path through runs of finite points; a null or NaN reading breaks the line. */
export function pathOf(runs: [number, number][][], x: (t: number) => number, y: (v: number) => number): string {
  return runs
    .filter((run) => run.length > 0)
    .map((run) => run.map(([t, v], i) => `${i === 0 ? 'M' : 'L'}${f1(x(t))} ${f1(y(v))}`).join(''))
    .join('')
}

export function runsOf(points: [number, number | null][]): [number, number][][] {
  const runs: [number, number][][] = [[]]
  for (const [t, v] of points) {
    if (v === null || !Number.isFinite(v)) {
      if (runs[runs.length - 1]!.length > 0) runs.push([])
    } else runs[runs.length - 1]!.push([t, v])
  }
  return runs
}

function chart(s: PreviewSeries, windows: PreviewWindow[], colorOf: (type: string) => string, index: number): string {
  const points = [...s.points].sort((a, b) => a[0] - b[0])
  const title = `${s.device} / ${s.sensor}`
  if (points.length === 0) {
    return `<section class="chart" data-device="${escapeHtml(s.device)}" data-sensor="${escapeHtml(s.sensor)}"><h2>${escapeHtml(title)}</h2><p class="empty">no samples</p></section>`
  }
  const t0 = points[0]![0]
  const t1 = Math.max(points[points.length - 1]![0], t0 + 1)
  let lo = Infinity
  let hi = -Infinity
  for (const [, v, c] of points) {
    for (const u of [v, c]) {
      if (u === null || !Number.isFinite(u)) continue
      if (u < lo) lo = u
      if (u > hi) hi = u
    }
  }
  if (lo > hi) {
    lo = 0
    hi = 1
  }
  if (hi - lo < 1e-9) {
    lo -= 1
    hi += 1
  }
  const pad = (hi - lo) * 0.05
  lo -= pad
  hi += pad
  const x = (t: number) => M.left + ((t - t0) / (t1 - t0)) * PLOT_W
  const y = (v: number) => M.top + (1 - (v - lo) / (hi - lo)) * PLOT_H

  const mine = windows
    .filter((w) => w.device === s.device && (w.sensor === undefined || w.sensor === s.sensor))
    .filter((w) => w.end_ms >= t0 && w.start_ms <= t1)
    .sort((a, b) => a.start_ms - b.start_ms || (a.anomaly_id < b.anomaly_id ? -1 : a.anomaly_id > b.anomaly_id ? 1 : 0))
  const shaded = mine.map((w, i) => {
    const xa = x(Math.max(w.start_ms, t0))
    const xb = x(Math.min(w.end_ms, t1))
    const color = colorOf(w.type)
    const tip = `${w.type} ${w.anomaly_id}: ${new Date(w.start_ms).toISOString()} – ${new Date(w.end_ms).toISOString()}`
    return (
      `<g class="window" data-anomaly="${escapeHtml(w.anomaly_id)}" data-type="${escapeHtml(w.type)}">` +
      `<title>${escapeHtml(tip)}</title>` +
      `<rect x="${f1(xa)}" y="${M.top}" width="${f1(Math.max(xb - xa, 1.5))}" height="${PLOT_H}" fill="${color}" fill-opacity="0.16" stroke="${color}" stroke-opacity="0.6"/>` +
      `<text x="${f1(xa + 3)}" y="${M.top + 12 + (i % 3) * 12}" style="fill:${color}">${escapeHtml(w.type)}</text></g>`
    )
  })

  const span = t1 - t0
  const cleanRuns = runsOf(points.map(([t, , c]) => [t, c])).map((run) => decimate(run, t0, span))
  const reportedRuns = runsOf(points.map(([t, v]) => [t, v])).map((run) => decimate(run, t0, span))
  const gaps = points.filter(([, v]) => v === null || Number.isNaN(v)).length

  const tt = timeTicks(t0, t1)
  const xAxis = tt.ticks
    .map((t) => `<line x1="${f1(x(t))}" x2="${f1(x(t))}" y1="${M.top}" y2="${M.top + PLOT_H}"/><text x="${f1(x(t))}" y="${H - 8}" text-anchor="middle">${tt.label(t)}</text>`)
    .join('')
  const yAxis = valueTicks(lo, hi)
    .map((v) => `<line x1="${M.left}" x2="${M.left + PLOT_W}" y1="${f1(y(v))}" y2="${f1(y(v))}"/><text x="${M.left - 6}" y="${f1(y(v) + 4)}" text-anchor="end">${v}</text>`)
    .join('')
  const clipId = `plot-${index}`

  return (
    `<section class="chart" data-device="${escapeHtml(s.device)}" data-sensor="${escapeHtml(s.sensor)}">` +
    `<h2>${escapeHtml(title)}</h2>` +
    `<p class="meta">${points.length} samples · ${gaps} dropped or NaN · ${mine.length} anomaly window${mine.length === 1 ? '' : 's'}</p>` +
    `<svg viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="${escapeHtml(title)}">` +
    `<defs><clipPath id="${clipId}"><rect x="${M.left}" y="${M.top}" width="${PLOT_W}" height="${PLOT_H}"/></clipPath></defs>` +
    `<g class="grid">${xAxis}${yAxis}</g>` +
    `<g class="windows">${shaded.join('')}</g>` +
    `<g clip-path="url(#${clipId})">` +
    `<path class="clean" d="${pathOf(cleanRuns, x, y)}"/>` +
    `<path class="reported" d="${pathOf(reportedRuns, x, y)}"/>` +
    `</g>` +
    `<rect class="frame" x="${M.left}" y="${M.top}" width="${PLOT_W}" height="${PLOT_H}"/>` +
    `</svg></section>`
  )
}

const STYLE = `
body{font:14px/1.4 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:24px;color:#222;background:#fff}
h1{font-size:20px;margin:0 0 4px}
h2{font-size:15px;margin:18px 0 0;font-weight:600}
.meta,.legend{color:#555;margin:2px 0 4px}
.legend span{display:inline-block;margin-right:14px}
.swatch{display:inline-block;width:18px;height:0;border-top:2px solid;vertical-align:middle;margin-right:4px}
.swatch.box{height:10px;border:1px solid;border-top-width:1px;opacity:.7}
svg{display:block;max-width:100%;height:auto}
svg text{font-size:11px;fill:#555}
.grid line{stroke:#eee}
.frame{fill:none;stroke:#bbb}
.clean{fill:none;stroke:#888;stroke-width:1.2;stroke-dasharray:4 3}
.reported{fill:none;stroke:#1f77b4;stroke-width:1.4}
.window text{font-size:11px;font-weight:600}
.empty{color:#a00}
`

/**
 * Renders the dataset preview: one SVG chart per series (reported value solid, clean value dashed,
 * anomaly windows shaded and labelled with their type). Self-contained (inline CSS and SVG, no
 * script, nothing fetched) and deterministic: the same input gives the same bytes.
 */
export function renderPreview(input: PreviewInput): string {
  const types = [...new Set(input.windows.map((w) => w.type))].sort()
  const colorOf = (type: string) => PALETTE[types.indexOf(type) % PALETTE.length]!
  const legend =
    `<p class="legend"><span><i class="swatch" style="border-color:#1f77b4"></i>reported</span>` +
    `<span><i class="swatch" style="border-color:#888;border-top-style:dashed"></i>clean (before faults)</span>` +
    types.map((t) => `<span><i class="swatch box" style="border-color:${colorOf(t)};background:${colorOf(t)}"></i>${escapeHtml(t)}</span>`).join('') +
    `</p>`
  const charts = input.series.map((s, i) => chart(s, input.windows, colorOf, i)).join('\n')
  return (
    `<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n` +
    `<meta name="viewport" content="width=device-width, initial-scale=1">\n` +
    `<title>${escapeHtml(input.title)}</title>\n<style>${STYLE}</style>\n</head>\n<body>\n` +
    `<h1>${escapeHtml(input.title)}</h1>\n${legend}\n${charts}\n</body>\n</html>\n`
  )
}

/**
 * Writes `preview.html` (see {@link renderPreview}).
 *
 * @example
 * writePreview('data/run1/preview.html', { title: 'anomaly-week, seed 42', series, windows })
 */
export function writePreview(file: string, input: PreviewInput): void {
  try {
    mkdirSync(dirname(file), { recursive: true })
    writeFileSync(file, renderPreview(input))
  } catch (e) {
    throw errors.outputWrite(file, e)
  }
}
