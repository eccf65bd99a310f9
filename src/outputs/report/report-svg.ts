import { escapeHtml } from '../dataset/preview.js'
import { formatClock } from './report-format.js'

/** Every plot is this wide (viewBox units = CSS px at 100%); the page is laid out for it. */
export const W = 960
export const LEFT = 68
export const RIGHT = 20
export const PLOT_W = W - LEFT - RIGHT
/** Past this many points a series keeps only each pixel column's first, min, max and last point. */
export const MAX_POINTS = 2000

/** One decimal place is sub-pixel: enough for a sharp line, and keeps long runs' files small. */
export const f1 = (n: number): string => (Math.round(n * 10) / 10).toFixed(1)

/** Rough width of 11px system-ui text, for laying out legends and labels without a browser. */
export const textWidth = (s: string, px = 11): number => s.length * px * 0.58

export interface LegendItem {
  label: string
  color: string
  /** line: a series; box: a shaded fault band; dash: a marker line. */
  shape: 'line' | 'box' | 'dash'
}

/** Lays legend items out left to right, wrapping; returns the SVG and the height it took. */
export function legend(items: LegendItem[], y0: number): { svg: string; height: number } {
  const ROW = 16
  let x = LEFT
  let row = 0
  const parts: string[] = []
  for (const item of items) {
    const w = 22 + textWidth(item.label) + 16
    if (x + w > W - RIGHT && x > LEFT) {
      row++
      x = LEFT
    }
    const y = y0 + row * ROW
    const swatch =
      item.shape === 'box'
        ? `<rect x="${x}" y="${y - 9}" width="16" height="10" fill="${item.color}" fill-opacity="0.25" stroke="${item.color}"/>`
        : `<line x1="${x}" x2="${x + 16}" y1="${y - 4}" y2="${y - 4}" stroke="${item.color}" stroke-width="2.5"${item.shape === 'dash' ? ' stroke-dasharray="4 3"' : ''}/>`
    parts.push(`${swatch}<text x="${f1(x + 22)}" y="${y}">${escapeHtml(item.label)}</text>`)
    x += w
  }
  return { svg: `<g class="legend">${parts.join('')}</g>`, height: items.length === 0 ? 0 : (row + 1) * ROW }
}

/** Decade ticks (1-2-5 ticks too when the range is narrow) on a log axis between lo and hi. */
export function logTicks(lo: number, hi: number): number[] {
  const out: number[] = []
  const narrow = Math.log10(hi / lo) < 3
  for (let e = Math.floor(Math.log10(lo)); e <= Math.ceil(Math.log10(hi)); e++) {
    for (const m of narrow ? [1, 2, 5] : [1]) {
      const v = Number((m * 10 ** e).toPrecision(6))
      if (v >= lo && v <= hi) out.push(v)
    }
  }
  return out
}

const TIME_STEPS_S = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10_800, 21_600, 43_200, 86_400, 172_800, 604_800]

/** Ticks on the run-relative time axis: at most ~10, on round clock times. */
export function timeTicks(spanMs: number): { ticks: number[]; hours: boolean } {
  const stepS = TIME_STEPS_S.find((s) => spanMs / (s * 1000) <= 10) ?? TIME_STEPS_S[TIME_STEPS_S.length - 1]!
  const ticks: number[] = []
  for (let t = 0; t <= spanMs + 1e-6; t += stepS * 1000) ticks.push(t)
  return { ticks, hours: spanMs >= 3_600_000 }
}

/** The x axis: grid lines, tick labels and the axis title (which says how to read the labels). */
export function timeAxis(spanMs: number, x: (t: number) => number, top: number, plotH: number): string {
  const { ticks, hours } = timeTicks(spanMs)
  const bottom = top + plotH
  const parts = ticks.map((t) => `<line x1="${f1(x(t))}" x2="${f1(x(t))}" y1="${top}" y2="${bottom}"/>`)
  const labels = ticks.map((t) => `<text x="${f1(x(t))}" y="${bottom + 15}" text-anchor="middle">${formatClock(t, hours)}</text>`)
  const title = `<text class="axis-title" x="${LEFT + PLOT_W}" y="${bottom + 32}" text-anchor="end">time since run start (${hours ? 'h:mm' : 'm:ss'})</text>`
  return `<g class="grid">${parts.join('')}</g><g class="ticks">${labels.join('')}${title}</g>`
}

/** The y axis: horizontal grid lines, tick labels, and the rotated unit title at the far left. */
export function valueAxis(ticks: number[], y: (v: number) => number, fmt: (v: number) => string, title: string, top: number, plotH: number): string {
  const grid = ticks.map((v) => `<line x1="${LEFT}" x2="${LEFT + PLOT_W}" y1="${f1(y(v))}" y2="${f1(y(v))}"/>`)
  const labels = ticks.map((v) => `<text x="${LEFT - 6}" y="${f1(y(v) + 4)}" text-anchor="end">${escapeHtml(fmt(v))}</text>`)
  const yt = top + plotH / 2
  const titleSvg = `<text class="axis-title" x="14" y="${f1(yt)}" text-anchor="middle" transform="rotate(-90 14 ${f1(yt)})">${escapeHtml(title)}</text>`
  return `<g class="grid">${grid.join('')}</g><g class="ticks">${labels.join('')}${titleSvg}</g>`
}

/**
 * Keeps the shape of a long series (spikes and dips included) at a size a browser draws at once:
 * each pixel column's first, lowest, highest and last point.
 */
export function decimate(points: [number, number][], spanMs: number, limit = MAX_POINTS): [number, number][] {
  if (points.length <= limit) return points
  const out: [number, number][] = []
  let column = Number.NaN
  let bucket: [number, number][] = []
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
    const c = Math.floor((p[0] / Math.max(spanMs, 1)) * PLOT_W)
    if (c !== column) {
      flush()
      column = c
    }
    bucket.push(p)
  }
  flush()
  return out
}

/** The frame and the opening tag every plot shares; `plot` is the class the page checks and styles. */
export function svgOpen(id: string, label: string, height: number): string {
  return `<svg class="plot" data-plot="${id}" viewBox="0 0 ${W} ${height}" width="${W}" height="${height}" role="img" aria-label="${escapeHtml(label)}">`
}

export function frame(top: number, plotH: number): string {
  return `<rect class="frame" x="${LEFT}" y="${top}" width="${PLOT_W}" height="${plotH}"/>`
}
