import { describe, expect, it } from 'vitest'
import { renderReportHtml } from '../../../src/outputs/report/report-html.js'
import { formatBytes, formatCount, formatMs, formatRatio, formatSli } from '../../../src/outputs/report/report-format.js'
import { SLI_CATALOGUE, SLI_NAMES } from '../../../src/spec/sli.js'
import { longReport, partialReport, quietReport, RESTART, soakReport, STORM } from '../../helpers/report-fixture.js'

const MIN = 60_000

/** The markup of one plot: `<svg class="plot" data-plot="id" …>…</svg>`. */
function plot(html: string, id: string): string {
  const m = new RegExp(`<svg class="plot" data-plot="${id}"[\\s\\S]*?</svg>`).exec(html)
  if (!m) throw new Error(`no plot ${id}`)
  return m[0]
}

/** The plot area: the frame rect every plot draws around its data. */
function frameOf(svg: string): { x: number; y: number; width: number; height: number } {
  const m = /<rect class="frame" x="([\d.]+)" y="([\d.]+)" width="([\d.]+)" height="([\d.]+)"/.exec(svg)!
  return { x: Number(m[1]), y: Number(m[2]), width: Number(m[3]), height: Number(m[4]) }
}

/** The points of a series path, as [x, y] screen coordinates, split into runs at each M. */
function pathRuns(svg: string, series: string): [number, number][][] {
  const d = new RegExp(`<path class="series" data-series="${series}" d="([^"]*)"`).exec(svg)![1]!
  return d
    .split('M')
    .filter((run) => run.length > 0)
    .map((run) => run.replace(/h1$/, '').split('L').map((p) => p.trim().split(' ').map(Number) as [number, number]))
}

function band(svg: string, faultId: string): { x: number; width: number } {
  const m = new RegExp(`<g class="fault" data-fault="${faultId}"[^>]*><title>[^<]*</title><rect class="band" x="([\\d.]+)" y="[\\d.]+" width="([\\d.]+)"`).exec(svg)
  if (!m) throw new Error(`no band for ${faultId}`)
  return { x: Number(m[1]), width: Number(m[2]) }
}

/** Cells of the row for `sli` in a table with this class. */
function rowOf(html: string, table: string, sli: string): string {
  const t = new RegExp(`<table class="${table}">[\\s\\S]*?</table>`).exec(html)![0]
  return new RegExp(`<tr[^>]*data-sli="${sli}"[^>]*>[\\s\\S]*?</tr>`).exec(t)?.[0] ?? ''
}

describe('value formatting by unit', () => {
  it('formats ms, bytes, ratios and counts for people', () => {
    expect(formatMs(812)).toBe('812 ms')
    expect(formatMs(12_345)).toBe('12.3 s')
    expect(formatMs(4.31)).toBe('4.3 ms')
    expect(formatMs(0.42)).toBe('0.42 ms')
    expect(formatMs(252_000)).toBe('4 min 12 s')
    expect(formatBytes(356 * 1024 * 1024)).toBe('356.0 MiB')
    expect(formatBytes(37_330)).toBe('36.5 KiB')
    expect(formatRatio(0.9995)).toBe('99.95%')
    expect(formatRatio(0.999_95)).toBe('99.995%')
    expect(formatRatio(0.000_012)).toBe('0.0012%')
    expect(formatRatio(0.5)).toBe('50%')
    expect(formatRatio(1)).toBe('100%')
    expect(formatCount(1_782_340)).toBe('1,782,340')
    expect(formatSli(null, 'ms')).toBe('—')
  })
})

describe('renderReportHtml', () => {
  const report = soakReport()
  const html = renderReportHtml(report)

  it('lists every SLI of the catalogue, in catalogue order, with its value formatted by unit and its help', () => {
    const table = /<table class="slis">[\s\S]*?<\/table>/.exec(html)![0]
    expect([...table.matchAll(/<tr data-sli="([a-z0-9_]+)"/g)].map((m) => m[1])).toEqual(SLI_NAMES)
    for (const sli of SLI_NAMES) {
      const row = rowOf(html, 'slis', sli)
      expect(row, sli).toContain(`>${formatSli(report.slis[sli], SLI_CATALOGUE[sli].unit)}</td>`)
      expect(row, sli).toContain(SLI_CATALOGUE[sli].help.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;'))
    }
    expect(rowOf(html, 'slis', 'connect_success_rate')).toContain('>99.87%<')
    expect(rowOf(html, 'slis', 'reconnect_p95')).toContain('>12.3 s<')
    expect(rowOf(html, 'slis', 'connect_p99')).toContain('>412 ms<')
    expect(rowOf(html, 'slis', 'messages_published')).toContain('>1,782,340<')
    expect(rowOf(html, 'slis', 'rss_peak')).toContain('>356.0 MiB<')
    expect(rowOf(html, 'slis', 'delivered_per_second')).toContain('>988.9/s<')
  })

  it('shows no data as — with a "no data" title', () => {
    const quiet = renderReportHtml(quietReport())
    expect(rowOf(quiet, 'slis', 'reconnect_p95')).toContain('<td class="num" title="no data">—</td>')
  })

  it('marks failed thresholds (and their SLIs) red, with the verdict', () => {
    expect(html).toContain('data-verdict="fail"')
    expect(rowOf(html, 'thresholds', 'reconnect_p95')).toMatch(/^<tr class="fail"/)
    expect(rowOf(html, 'thresholds', 'reconnect_p95')).toContain('12,300 ms is not &lt; 10,000 ms')
    expect(rowOf(html, 'thresholds', 'reconnect_p95')).toContain('>12.3 s</td>')
    expect(rowOf(html, 'thresholds', 'loss_rate')).toMatch(/^<tr class="fail"/)
    expect(rowOf(html, 'thresholds', 'latency_p99')).toMatch(/^<tr class="pass"/)
    expect(rowOf(html, 'slis', 'reconnect_p95')).toMatch(/class="fail"/)
    expect(rowOf(html, 'slis', 'latency_p99')).not.toMatch(/class="fail"/)
    expect(html).toMatch(/tr\.fail td\{background:#[0-9a-f]+\}/)
    const none = renderReportHtml(quietReport())
    expect(none).toContain('data-verdict="none"')
    expect(none).not.toContain('<table class="thresholds">')
  })

  it('shows the PARTIAL banner only for a partial report', () => {
    expect(html).not.toContain('PARTIAL')
    const partial = renderReportHtml(partialReport())
    expect(partial).toMatch(/<div class="banner partial" role="alert"[^>]*><strong>PARTIAL REPORT<\/strong> — the run was interrupted \(SIGINT\/SIGTERM\) at 12:34 of 30:00 planned/)
    expect(partial).toContain('<title>soak-10k — fleet-emu soak report (partial)</title>')
  })

  it('draws online devices going down during the disconnect storm and the broker restart', () => {
    const svg = plot(html, 'devices')
    const f = frameOf(svg)
    const points = pathRuns(svg, 'online').flat()
    const xAt = (ms: number) => f.x + (ms / (30 * MIN)) * f.width
    const ys = (fromMs: number, toMs: number) => points.filter(([x]) => x > xAt(fromMs) && x < xAt(toMs)).map(([, y]) => y)
    const before = ys(9 * MIN, 10 * MIN)
    const storm = ys(STORM.startMs + 2000, STORM.endMs - 1000)
    const restart = ys(RESTART.startMs + 2000, RESTART.endMs - 1000)
    expect(before.length).toBeGreaterThan(10)
    expect(storm.length).toBeGreaterThan(5)
    // 3,000 of 10,000 devices off: the line drops by ~30% of the device axis (y grows downwards).
    expect(Math.min(...storm) - Math.max(...before)).toBeGreaterThan(f.height * 0.25)
    expect(Math.min(...restart)).toBeCloseTo(f.y + f.height, 0)
    const after = ys(12 * MIN, 13 * MIN)
    expect(Math.max(...after)).toBeCloseTo(Math.max(...before), 0)
  })

  it('shades each fault occurrence at its window, labelled and coloured by kind, with a legend', () => {
    const svg = plot(html, 'devices')
    const f = frameOf(svg)
    for (const fault of report.faults) {
      const b = band(svg, fault.faultId)
      expect(b.x, fault.faultId).toBeCloseTo(f.x + (fault.startMs / (30 * MIN)) * f.width, 0)
      expect(b.width, fault.faultId).toBeCloseTo(Math.max(2, ((fault.endMs - fault.startMs) / (30 * MIN)) * f.width), 0)
      expect(svg).toMatch(new RegExp(`<text class="band-label" data-fault="${fault.faultId}"[^>]*>${fault.kind}</text>`))
      expect(svg).toContain(`fault: ${fault.kind}</text>`)
    }
    const colour = (id: string) => new RegExp(`data-fault="${id}"[^>]*><title>[^<]*</title><rect[^>]* fill="(#[0-9a-f]{6})"`).exec(svg)![1]
    expect(new Set(report.faults.map((x) => colour(x.faultId))).size).toBe(3)
  })

  it('has every plot as an accessible svg.plot, with a note instead of an empty reconnect histogram', () => {
    const plots = [...html.matchAll(/<svg class="plot" data-plot="([a-z-]+)"[^>]* role="img" aria-label="[^"]+">/g)].map((m) => m[1])
    expect(plots).toEqual(['devices', 'messages', 'latency', 'reconnect-distribution', 'connect-distribution', 'latency-distribution', 'memory', 'event-loop-lag', 'cpu'])
    expect(html.match(/<svg /g)).toHaveLength(plots.length)
    const quiet = renderReportHtml(quietReport())
    expect(quiet).not.toContain('data-plot="reconnect-distribution" viewBox')
    expect(quiet).toContain('<p class="empty" data-plot="reconnect-distribution">no reconnects in this run')
  })

  it('leaves latency gaps where no message was delivered (the broker restart)', () => {
    const runs = pathRuns(plot(html, 'latency'), 'latency-p99')
    expect(runs.length).toBe(2)
  })

  it('draws a bar per histogram bucket and the percentiles as markers', () => {
    const svg = plot(html, 'reconnect-distribution')
    expect([...svg.matchAll(/<path class="bar" data-series="reconnect-distribution" data-upper-ms="(\d+)" data-count="(\d+)"/g)].map((m) => [Number(m[1]), Number(m[2])])).toEqual(
      report.distributions.reconnectMs,
    )
    expect([...svg.matchAll(/<g class="marker" data-marker="(p\d+)">/g)].map((m) => m[1])).toEqual(['p50', 'p95', 'p99'])
  })

  it('is self-contained: nothing fetched, no script', () => {
    for (const h of [html, renderReportHtml(partialReport()), renderReportHtml(quietReport())]) {
      expect(h).not.toMatch(/\b(src|href)\s*=/i)
      expect(h).not.toMatch(/url\(\s*['"]?(https?:)?\/\//i)
      expect(h).not.toMatch(/@import|<script|<link|<img|<iframe/i)
    }
  })

  it('escapes the fleet name and other text from the report', () => {
    const r = soakReport()
    r.run.fleet = '<script>alert("x")</script> & <b>co</b>'
    r.faults[0] = { ...r.faults[0]!, faultId: 'storm"<x>', kind: 'dis<connect>' }
    const out = renderReportHtml(r)
    expect(out).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &lt;b&gt;co&lt;/b&gt;')
    expect(out).not.toMatch(/<script|<b>co|<x>|dis<connect>/)
    expect(out).toContain('data-fault="storm&quot;&lt;x&gt;"')
  })

  it('renders a run stopped before its first interval: notes instead of plots, no NaN', () => {
    const r = soakReport()
    r.run = { ...r.run, status: 'interrupted', partial: true, elapsedMs: 800 }
    r.timeline.points = []
    r.faults = []
    r.distributions = { connectMs: [], reconnectMs: [], latencyMs: [] }
    r.slis = Object.fromEntries(SLI_NAMES.map((n) => [n, null])) as typeof r.slis
    const out = renderReportHtml(r)
    expect(out).not.toMatch(/NaN|Infinity|undefined/)
    expect(out).not.toContain('<svg')
    expect(out.match(/<p class="empty"/g)).toHaveLength(9)
    expect(out).toContain('no timeline points: the run ended before its first interval')
  })

  it('draws a lone point between gaps as a visible tick', () => {
    const r = soakReport()
    for (const p of r.timeline.points) if (p.tMs !== 300_000) p.latencyP99Ms = null
    const d = /data-series="latency-p99" d="([^"]*)"/.exec(renderReportHtml(r))![1]
    expect(d).toMatch(/^M[\d.]+ [\d.]+h1$/)
  })

  it('is deterministic: the same report renders the same bytes', () => {
    expect(renderReportHtml(soakReport())).toBe(html)
  })

  it('keeps an 8-hour run at one point per second small, dips included', () => {
    const long = longReport(8)
    const out = renderReportHtml(long)
    expect(long.timeline.points.length).toBe(28_800)
    expect(out.length).toBeLessThan(1_000_000)
    const svg = plot(out, 'devices')
    const points = pathRuns(svg, 'online').flat()
    expect(points.length).toBeLessThanOrEqual(4 * frameOf(svg).width + 4)
    // The 30 s storm is under 1 px wide at this scale; the per-pixel min keeps its dip.
    const f = frameOf(svg)
    expect(Math.max(...points.map(([, y]) => y)) - Math.min(...points.map(([, y]) => y))).toBeGreaterThan(f.height * 0.9)
  })
})
