import { escapeHtml, valueTicks } from '../dataset/preview.js'
import { compact, formatCount, formatMs, formatMsShort, formatRatio } from './report-format.js'
import { f1, frame, legend, LEFT, logTicks, PLOT_W, svgOpen, textWidth, valueAxis, W, type LegendItem } from './report-svg.js'

export interface DistributionSpec {
  id: string
  label: string
  /** What one count is: "connects", "reconnects", "messages". */
  yTitle: string
  color: string
  /** [upper bound ms, count] per bucket, ascending (report.json `distributions`). */
  buckets: [number, number][]
  /** Percentiles drawn as dashed lines (the SLI values), e.g. p50/p95/p99. */
  markers: { label: string; ms: number | null }[]
  height?: number
}

const BOTTOM = 40
const MARKER_COLORS = ['#444', '#b35c00', '#b00020']

/**
 * The lower edge of the first bucket. The recorder's bounds go 1-2-5 per decade, so the bucket
 * before b is b/2 (b = 1×, 2×) or b/2.5 (b = 5×); for any other bound, half of it.
 */
function lowerOf(upper: number): number {
  const mantissa = upper / 10 ** Math.floor(Math.log10(upper))
  return Math.abs(mantissa - 5) < 1e-6 ? upper / 2.5 : upper / 2
}

/**
 * A histogram on a log time axis: one bar per bucket (its lower to its upper bound), the count
 * labelled on bars wide enough, and the percentiles as dashed lines. Log, because connect and
 * latency times span orders of magnitude and their tails are what a soak run is about.
 */
export function distributionPlot(spec: DistributionSpec): string {
  const height = spec.height ?? 240
  const buckets = spec.buckets.filter(([b]) => b > 0 && Number.isFinite(b))
  const total = buckets.reduce((n, [, c]) => n + c, 0)
  const edges = buckets.map(([upper], i) => [i === 0 ? lowerOf(upper) : buckets[i - 1]![0], upper] as const)
  const markers = spec.markers.filter((m): m is { label: string; ms: number } => m.ms !== null && Number.isFinite(m.ms) && m.ms > 0)
  let lo = Math.min(edges[0]?.[0] ?? 1, ...markers.map((m) => m.ms))
  let hi = Math.max(edges[edges.length - 1]?.[1] ?? 10, ...markers.map((m) => m.ms))
  // At least one decade, so a run whose times all fall in one bucket does not draw one wall-to-wall bar.
  const missing = 1 - Math.log10(hi / lo)
  if (missing > 0) {
    lo /= 10 ** (missing / 2)
    hi *= 10 ** (missing / 2)
  }
  const x = (ms: number) => LEFT + ((Math.log10(ms) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo))) * PLOT_W

  const items: LegendItem[] = [{ label: `${spec.yTitle} (${formatCount(total)})`, color: spec.color, shape: 'box' }]
  markers.forEach((m, i) => items.push({ label: `${m.label} ${formatMs(m.ms)}`, color: MARKER_COLORS[i % MARKER_COLORS.length]!, shape: 'dash' }))
  const leg = legend(items, 16)
  const top = 8 + leg.height + 28
  const plotH = height - top - BOTTOM
  const maxCount = Math.max(1, ...buckets.map(([, c]) => c))
  const yMax = maxCount * 1.12
  const y = (v: number) => top + (1 - v / yMax) * plotH
  const ticks = valueTicks(0, yMax).filter((v) => v <= yMax && Number.isInteger(v))

  const bars = buckets.map(([upper, count], i) => {
    const [lower] = edges[i]!
    const xa = x(lower) + 1
    const w = Math.max(x(upper) - x(lower) - 2, 1)
    // A bucket with any count shows, however small next to the tallest.
    const h = count === 0 ? 0 : Math.max(plotH - (y(count) - top), 1.5)
    const tip = `${formatMs(lower)} – ${formatMs(upper)}: ${formatCount(count)} (${total === 0 ? '0%' : formatRatio(count / total)})`
    const label = count > 0 && w >= textWidth(compact(count), 10) + 2 ? `<text class="bar-count" x="${f1(xa + w / 2)}" y="${f1(top + plotH - h - 3)}" text-anchor="middle">${compact(count)}</text>` : ''
    const d = h === 0 ? '' : `M${f1(xa)} ${f1(top + plotH)}h${f1(w)}v${f1(-h)}h${f1(-w)}Z`
    return `<path class="bar" data-series="${spec.id}" data-upper-ms="${upper}" data-count="${count}" d="${d}" fill="${spec.color}"><title>${escapeHtml(tip)}</title></path>${label}`
  })

  const grid = logTicks(lo, hi).map((v) => `<line x1="${f1(x(v))}" x2="${f1(x(v))}" y1="${top}" y2="${top + plotH}"/>`)
  const tickLabels = logTicks(lo, hi).map((v) => `<text x="${f1(x(v))}" y="${top + plotH + 15}" text-anchor="middle">${formatMsShort(v)}</text>`)
  const xTitle = `<text class="axis-title" x="${LEFT + PLOT_W}" y="${top + plotH + 32}" text-anchor="end">duration (log scale)</text>`

  // Percentile labels in two rows, so p95 and p99 close together do not print over each other.
  const rowEnds = [-Infinity, -Infinity]
  const marks = markers.map((m, i) => {
    const color = MARKER_COLORS[i % MARKER_COLORS.length]!
    const xm = x(m.ms)
    const w = textWidth(m.label, 10) + 4
    const right = xm + w > W - 20
    const xa = right ? xm - w : xm
    const row = Math.max(0, rowEnds.findIndex((end) => end < xa))
    rowEnds[row] = xa + w
    return (
      `<g class="marker" data-marker="${escapeHtml(m.label)}"><title>${escapeHtml(`${m.label}: ${formatMs(m.ms)}`)}</title>` +
      `<line x1="${f1(xm)}" x2="${f1(xm)}" y1="${top - 26 + row * 12}" y2="${top + plotH}" stroke="${color}" stroke-width="1.5" stroke-dasharray="4 3"/>` +
      `<text x="${f1(right ? xm - 3 : xm + 3)}" y="${top - 17 + row * 12}" text-anchor="${right ? 'end' : 'start'}" style="fill:${color}">${escapeHtml(m.label)}</text></g>`
    )
  })

  return (
    svgOpen(spec.id, spec.label, height) +
    leg.svg +
    `<g class="grid">${grid.join('')}</g><g class="ticks">${tickLabels.join('')}${xTitle}</g>` +
    valueAxis(ticks, y, compact, spec.yTitle, top, plotH) +
    `<g class="bars">${bars.join('')}</g>` +
    `<g class="markers">${marks.join('')}</g>` +
    frame(top, plotH) +
    `</svg>`
  )
}
