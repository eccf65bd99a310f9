import { formatDuration } from '../../core/index.js'
import { SLI_CATALOGUE, type SliName, type SliUnit } from '../../spec/index.js'
import { escapeHtml } from '../dataset/preview.js'
import { formatClock, formatCount, formatSli, plural } from './report-format.js'
import { faultColors, renderPlots, spanOf } from './report-plots.js'
import { REPORT_STYLE } from './report-style.js'
import type { RunReport, ThresholdVerdict } from './report-types.js'

const unitOf = (sli: string): SliUnit => (SLI_CATALOGUE as Record<string, { unit: SliUnit } | undefined>)[sli]?.unit ?? 'count'
const e = escapeHtml

/** Raw value in the SLI's base unit, for the tooltip of a formatted cell. */
function rawTitle(value: number | null | undefined, unit: SliUnit): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return 'no data'
  return `${value} ${{ ms: 'ms', bytes: 'bytes', ratio: '(fraction)', count: '', per_second: 'per second' }[unit]}`.trim()
}

function valueCell(value: number | null | undefined, unit: SliUnit): string {
  return `<td class="num" title="${e(rawTitle(value, unit))}">${formatSli(value, unit)}</td>`
}

function header(r: RunReport): string {
  const run = r.run
  const failed = r.thresholds.filter((t) => !t.pass)
  const badge =
    r.verdict === 'pass'
      ? `<span class="verdict pass" data-verdict="pass">PASS</span><span class="verdict-detail">all ${plural(r.thresholds.length, 'threshold')} met</span>`
      : r.verdict === 'fail'
        ? `<span class="verdict fail" data-verdict="fail">FAIL</span><span class="verdict-detail">${formatCount(failed.length)} of ${plural(r.thresholds.length, 'threshold')} failed: ${failed.map((t) => e(t.sli)).join(', ')}</span>`
        : `<span class="verdict none" data-verdict="none">NO VERDICT</span><span class="verdict-detail">the fleet file declares no thresholds</span>`
  const hours = Math.max(spanOf(r), run.plannedDurationMs) >= 3_600_000
  const banner = run.partial
    ? `<div class="banner partial" role="alert" data-partial="true"><strong>PARTIAL REPORT</strong> — the run was ${run.status === 'interrupted' ? 'interrupted (SIGINT/SIGTERM)' : 'cut short'} at ${formatClock(run.elapsedMs, hours)} of ${formatClock(run.plannedDurationMs, hours)} planned. Every number below covers only the part that ran.</div>`
    : ''
  const duration =
    `${formatDuration(run.elapsedMs)}` +
    (run.elapsedMs < run.plannedDurationMs - 1000 || run.elapsedMs > run.plannedDurationMs + 1000 ? ` of ${formatDuration(run.plannedDurationMs)} planned` : '') +
    (run.speed !== 1 ? ` (clock time at ${run.speed}×: about ${formatDuration(run.elapsedMs / run.speed)} of wall time)` : '')
  const facts: [string, string][] = [
    ['status', run.status],
    ['devices', formatCount(run.devices)],
    ['seed', String(run.seed)],
    ['duration', duration],
    ['speed', `${run.speed}×`],
    ['broker', run.brokerUrl],
    ['links', run.links],
    ...(run.threads ? [['threads', run.threads] as [string, string]] : []),
    ...(run.heap ? [['heap', run.heap] as [string, string]] : []),
    ...(run.nodeFlags ? [['node flags', run.nodeFlags] as [string, string]] : []),
    ['started', run.startedAt],
    ['ended', run.endedAt],
    ['fleet file', run.file],
    ['versions', `fleet-emu ${run.emulatorVersion} · Node ${run.node} · ${plural(run.cpus, 'CPU')}`],
  ]
  return (
    `<header>\n<h1>Soak report: <span class="fleet">${e(run.fleet)}</span></h1>\n` +
    `<p class="verdict-line">${badge}</p>\n${banner}\n` +
    `<dl class="facts">${facts.map(([k, v]) => `<div data-fact="${e(k)}"><dt>${e(k)}</dt><dd>${e(v)}</dd></div>`).join('')}</dl>\n</header>`
  )
}

const GLANCE: [SliName, string][] = [
  ['connect_success_rate', 'connect success'],
  ['reconnect_p95', 'reconnect p95'],
  ['latency_p99', 'latency p99'],
  ['loss_rate', 'messages lost'],
  ['online_at_end_rate', 'online at end'],
  ['rss_peak', 'peak RSS'],
]

/** The handful of numbers people look at first, as cards (failed thresholds in red). */
function glance(r: RunReport): string {
  const failed = new Set(r.thresholds.filter((t) => !t.pass).map((t) => t.sli))
  const cards = GLANCE.map(([sli, name]) => {
    const unit = unitOf(sli)
    return `<div class="card${failed.has(sli) ? ' fail' : ''}" data-sli="${sli}" title="${sli}: ${e(rawTitle(r.slis[sli], unit))}"><div class="card-value">${formatSli(r.slis[sli], unit)}</div><div class="card-name">${name}</div></div>`
  })
  return `<div class="glance">${cards.join('')}</div>`
}

function thresholdsTable(r: RunReport): string {
  if (r.thresholds.length === 0) {
    return `<section id="thresholds"><h2>Thresholds</h2><p class="meta">The fleet file declares no thresholds, so the run has no verdict. Add a <code>thresholds:</code> section (docs/fleet-file.md#thresholds) to make a run pass or fail.</p></section>`
  }
  const row = (t: ThresholdVerdict) =>
    `<tr class="${t.pass ? 'pass' : 'fail'}" data-sli="${e(t.sli)}" data-pass="${t.pass}">` +
    `<td><code>${e(t.sli)}</code></td><td><code>${e(t.expression)}</code></td>${valueCell(t.actual, unitOf(t.sli))}` +
    `<td class="result">${t.pass ? '✓ pass' : '✗ FAIL'}</td><td>${e(t.detail)}</td></tr>`
  return (
    `<section id="thresholds"><h2>Thresholds</h2>` +
    `<table class="thresholds"><thead><tr><th>SLI</th><th>threshold</th><th class="num">actual</th><th>result</th><th>detail</th></tr></thead>` +
    `<tbody>${r.thresholds.map(row).join('')}</tbody></table></section>`
  )
}

function sliTable(r: RunReport): string {
  const bySli = new Map<string, ThresholdVerdict[]>()
  for (const t of r.thresholds) bySli.set(t.sli, [...(bySli.get(t.sli) ?? []), t])
  const rows = (Object.keys(SLI_CATALOGUE) as SliName[]).map((sli) => {
    const info = SLI_CATALOGUE[sli]
    const ts = bySli.get(sli) ?? []
    const fail = ts.some((t) => !t.pass)
    const thr = ts.map((t) => `<span class="thr ${t.pass ? 'pass' : 'fail'}">${e(t.expression)} ${t.pass ? '✓' : '✗'}</span>`).join(' ')
    return `<tr data-sli="${sli}"${fail ? ' class="fail"' : ''}><td><code>${sli}</code></td>${valueCell(r.slis[sli], info.unit)}<td>${thr}</td><td class="help">${e(info.help)}</td></tr>`
  })
  return (
    `<section id="slis"><h2>Service-level indicators</h2>` +
    `<p class="meta">Measured over the whole run; — means the run had no data for it (hover a value for the exact figure).</p>` +
    `<table class="slis"><thead><tr><th>SLI</th><th class="num">value</th><th>threshold</th><th>meaning</th></tr></thead><tbody>${rows.join('')}</tbody></table></section>`
  )
}

/** Fault occurrences as a table too: the bands in the plots are for the eye, this is for reading off. */
function faultsTable(r: RunReport): string {
  const LIMIT = 100
  if (r.faults.length === 0) return `<section id="faults"><h2>Faults</h2><p class="meta">No fault was injected in this run.</p></section>`
  const hours = spanOf(r) >= 3_600_000
  const color = faultColors(r)
  const sorted = [...r.faults].sort((a, b) => a.startMs - b.startMs)
  const rows = sorted
    .slice(0, LIMIT)
    .map(
      (f) =>
        `<tr data-fault="${e(f.faultId)}"><td><i class="dot" style="background:${color(f.kind)}"></i><code>${e(f.faultId)}</code></td><td>${e(f.kind)}</td>` +
        `<td class="num">${formatClock(f.startMs, hours)}</td><td class="num">${formatClock(f.endMs, hours)}</td><td class="num">${formatDuration(Math.max(0, f.endMs - f.startMs))}</td><td class="num">${formatCount(f.devices)}</td></tr>`,
    )
  const more = sorted.length > LIMIT ? `<p class="meta">… and ${formatCount(sorted.length - LIMIT)} more in report.json.</p>` : ''
  return (
    `<section id="faults"><h2>Faults</h2><table class="faults"><thead><tr><th>fault</th><th>kind</th><th class="num">start</th><th class="num">end</th><th class="num">length</th><th class="num">devices</th></tr></thead>` +
    `<tbody>${rows.join('')}</tbody></table>${more}</section>`
  )
}

/**
 * Renders report.html: one self-contained page (inline CSS and SVG drawn here, no script, nothing
 * fetched) with the verdict, thresholds, every SLI and the plots of the run's timeline, fault bands
 * and distributions. Deterministic: the same report gives the same bytes.
 *
 * @example
 * writeFileSync('runs/soak/report.html', renderReportHtml(readReport('runs/soak/report.json')))
 */
export function renderReportHtml(report: RunReport): string {
  const title = `${report.run.fleet} — fleet-emu soak report${report.run.partial ? ' (partial)' : ''}`
  return (
    `<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n` +
    `<meta name="viewport" content="width=device-width, initial-scale=1">\n` +
    `<title>${e(title)}</title>\n<style>${REPORT_STYLE}</style>\n</head>\n<body>\n<main>\n` +
    `${header(report)}\n${glance(report)}\n${thresholdsTable(report)}\n${sliTable(report)}\n` +
    `<section id="plots"><h2>Plots</h2>\n${renderPlots(report)}\n</section>\n${faultsTable(report)}\n` +
    `<footer>fleet-emu ${e(report.run.emulatorVersion)} · report.json version ${report.reportVersion} · re-render with <code>fleet-emu report report.json</code></footer>\n` +
    `</main>\n</body>\n</html>\n`
  )
}
