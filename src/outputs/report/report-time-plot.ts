import { escapeHtml, pathOf, runsOf, valueTicks } from '../dataset/preview.js'
import { compact, formatClock, formatCount } from './report-format.js'
import { decimate, f1, frame, legend, LEFT, logTicks, PLOT_W, svgOpen, textWidth, timeAxis, valueAxis, type LegendItem } from './report-svg.js'

/** A fault occurrence drawn as a shaded band across the plot. */
export interface Band {
  faultId: string
  kind: string
  startMs: number
  endMs: number
  devices: number
  color: string
}

export interface LineSeries {
  key: string
  label: string
  color: string
  /** [ms since run start, value]; null leaves a gap. */
  points: [number, number | null][]
  dash?: boolean
  /** Stroke width; a wider, lighter line stays visible under one drawn on top of it. */
  width?: number
}

export interface TimePlotSpec {
  id: string
  label: string
  yTitle: string
  yFormat?: (v: number) => string
  /** The x axis runs from 0 to this (the run's length). */
  spanMs: number
  series: LineSeries[]
  /** A fixed top for the y axis (e.g. the device count); otherwise a little above the data. */
  yMax?: number
  /**
   * log: for latency, where a fault's seconds-long spike would flatten the milliseconds of the rest
   * of the run into the axis on a linear scale.
   */
  yScale?: 'linear' | 'log'
  bands: Band[]
  /** Label the bands in a lane above the plot and list the kinds in the legend (the devices plot). */
  labelBands?: boolean
  height?: number
}

const LANE_ROW = 13
const LANE_ROWS = 3
const BOTTOM = 40

/** True when a series has at least one drawable point (a plot of nothing gets a note instead). */
export function hasData(series: LineSeries[]): boolean {
  return series.some((s) => s.points.some(([, v]) => v !== null && Number.isFinite(v)))
}

/**
 * Places band labels in up to three rows above the plot so none overlap: each label goes in the
 * first row where it clears the previous label; one that fits nowhere is left to the legend and
 * the band's tooltip.
 */
function laneLabels(bands: Band[], x: (t: number) => number, laneTop: number): { svg: string; rows: number } {
  const ends = new Array<number>(LANE_ROWS).fill(-Infinity)
  const parts: string[] = []
  let rows = 0
  for (const b of bands) {
    const text = b.kind
    const w = textWidth(text, 10) + 8
    const xa = Math.min(x(b.startMs), LEFT + PLOT_W - w)
    const row = ends.findIndex((end) => end < xa)
    if (row < 0) continue
    ends[row] = xa + w
    rows = Math.max(rows, row + 1)
    parts.push(`<text class="band-label" data-fault="${escapeHtml(b.faultId)}" x="${f1(xa + 2)}" y="${laneTop + (row + 1) * LANE_ROW - 3}" style="fill:${b.color}">${escapeHtml(text)}</text>`)
  }
  return { svg: `<g class="band-labels">${parts.join('')}</g>`, rows }
}

type Scale = { y: (v: number) => number; ticks: number[] }

/** Smallest positive and largest finite value over every series (a loop: long runs have too many points to spread). */
function extent(spec: TimePlotSpec): { minPositive: number; max: number } {
  let minPositive = Infinity
  let max = 0
  for (const s of spec.series) {
    for (const [, v] of s.points) {
      if (v === null || !Number.isFinite(v)) continue
      if (v > max) max = v
      if (v > 0 && v < minPositive) minPositive = v
    }
  }
  return { minPositive, max }
}

/** From 0 (rates, counts and memory read against zero) to the fixed top or a little above the data. */
function linearScale(spec: TimePlotSpec, top: number, plotH: number): Scale {
  const { max } = extent(spec)
  const yMax = spec.yMax ?? (max > 0 ? max * 1.08 : 1)
  return { y: (v) => top + (1 - v / yMax) * plotH, ticks: valueTicks(0, yMax).filter((v) => v <= yMax) }
}

/** From the decade below the smallest positive value to a little above the largest; ≤ 0 sits on the floor. */
function logScale(spec: TimePlotSpec, top: number, plotH: number): Scale {
  const { minPositive, max } = extent(spec)
  const lo = Number.isFinite(minPositive) ? 10 ** Math.floor(Math.log10(minPositive)) : 1
  const hi = Math.max(lo * 10, max * 1.3)
  const span = Math.log10(hi) - Math.log10(lo)
  return { y: (v) => top + (1 - (Math.log10(Math.max(v, lo)) - Math.log10(lo)) / span) * plotH, ticks: logTicks(lo, hi) }
}

/** A line plot over run time, with fault bands behind the lines. */
export function timePlot(spec: TimePlotSpec): string {
  const height = spec.height ?? 280
  const span = Math.max(spec.spanMs, 1)
  const x = (t: number) => LEFT + (Math.min(Math.max(t, 0), span) / span) * PLOT_W
  const bands = [...spec.bands].sort((a, b) => a.startMs - b.startMs || (a.faultId < b.faultId ? -1 : a.faultId > b.faultId ? 1 : 0))

  const items: LegendItem[] = spec.series.map((s) => ({ label: s.label, color: s.color, shape: s.dash ? 'dash' : 'line' }))
  if (spec.labelBands) {
    const kinds = new Map<string, { color: string; n: number }>()
    for (const b of bands) kinds.set(b.kind, { color: b.color, n: (kinds.get(b.kind)?.n ?? 0) + 1 })
    for (const [kind, { color, n }] of kinds) items.push({ label: n === 1 ? `fault: ${kind}` : `fault: ${kind} ×${n}`, color, shape: 'box' })
  }
  const leg = legend(items, 16)
  const laneTop = 8 + leg.height
  const lane = spec.labelBands && bands.length > 0 ? laneLabels(bands, x, laneTop) : { svg: '', rows: 0 }
  const top = laneTop + lane.rows * LANE_ROW + 4
  const plotH = height - top - BOTTOM

  const { y, ticks } = (spec.yScale === 'log' ? logScale : linearScale)(spec, top, plotH)

  const hours = span >= 3_600_000
  const shaded = bands.map((b) => {
    const xa = x(b.startMs)
    const xb = x(b.endMs)
    const tip = `${b.kind} (${b.faultId}): ${formatClock(b.startMs, hours)}–${formatClock(b.endMs, hours)}, ${formatCount(b.devices)} device${b.devices === 1 ? '' : 's'}`
    const bandTop = spec.labelBands ? laneTop : top
    return (
      `<g class="fault" data-fault="${escapeHtml(b.faultId)}" data-kind="${escapeHtml(b.kind)}"><title>${escapeHtml(tip)}</title>` +
      `<rect class="band" x="${f1(xa)}" y="${bandTop}" width="${f1(Math.max(xb - xa, 2))}" height="${top + plotH - bandTop}" fill="${b.color}" fill-opacity="${spec.labelBands ? 0.16 : 0.09}" stroke="${b.color}" stroke-opacity="0.45"/></g>`
    )
  })

  const lines = spec.series.map((s) => {
    // A point alone between gaps (one interval with deliveries) gets a 1 px stroke, or it would not show.
    const d = pathOf(runsOf(s.points).map((run) => decimate(run, span)), x, y).replace(/(M[\d.-]+ [\d.-]+)(?=M|$)/g, '$1h1')
    return `<path class="series" data-series="${s.key}" d="${d}" stroke="${s.color}"${s.width ? ` stroke-width="${s.width}"` : ''}${s.dash ? ' stroke-dasharray="5 3"' : ''}><title>${escapeHtml(s.label)}</title></path>`
  })
  const clipId = `clip-${spec.id}`
  return (
    svgOpen(spec.id, spec.label, height) +
    `<defs><clipPath id="${clipId}"><rect x="${LEFT}" y="${top - 2}" width="${PLOT_W}" height="${plotH + 4}"/></clipPath></defs>` +
    leg.svg +
    timeAxis(span, x, top, plotH) +
    valueAxis(ticks, y, spec.yFormat ?? compact, spec.yTitle, top, plotH) +
    `<g class="faults">${shaded.join('')}</g>` +
    lane.svg +
    `<g class="lines" clip-path="url(#${clipId})">${lines.join('')}</g>` +
    frame(top, plotH) +
    `</svg>`
  )
}
