import { formatDuration } from '../core/index.js'
import type { RunSummary } from '../fleet/index.js'
import type { RunReport } from '../outputs/index.js'

/** A measured duration for the terminal: 0.43 → "0.43 ms", 812 → "812ms", 2350 → "2s" (as the summary prints latencies). */
export function formatLatency(ms: number): string {
  return ms < 10 ? `${ms.toFixed(2)} ms` : formatDuration(Math.round(ms))
}

/** The end-of-run summary for people. */
export function formatSummary(s: RunSummary, outDir: string | undefined, report?: RunReport): string {
  const pct = (x: number | null) => (x === null ? 'n/a' : `${(100 * x).toFixed(2)}%`)
  const kv = (o: Record<string, number>) => Object.entries(o).map(([k, v]) => `${k} ${v}`).join(', ') || 'none'
  const lines = [
    `fleet-emu ${s.fleet}: ${s.status} after ${formatDuration(s.elapsedMs)} (seed ${s.seed}, ${s.devices} devices, broker ${s.brokerUrl})`,
    `  all online after   ${s.allOnlineAfterMs === null ? 'never' : formatDuration(s.allOnlineAfterMs)}`,
    `  connects           ${s.connects.attempts} attempts, ${pct(s.connects.successRate)} success (${kv(s.connects.outcomes)})`,
    `  disconnects        ${kv(s.disconnects)}`,
    `  telemetry          ${s.messages.published} messages (${s.messages.perSecond}/s), ${s.messages.bytes} bytes, ${s.messages.droppedOffline} dropped offline`,
    `  faults             ${s.faults.map((f) => `${f.faultId} (${f.kind}) ×${f.devices}${f.truncated ? `, ${f.truncated} cut short` : ''}`).join('; ') || 'none'}`,
    `  firmware at end    ${kv(s.finalStates.firmware)}`,
  ]
  if (report) lines.push(...formatMeasurements(report))
  if (outDir) lines.push(`  outputs            ${outDir}/ (${report ? 'report.html, report.json, ' : ''}summary.json, faults.jsonl)`)
  return lines.join('\n') + '\n'
}

/** The soak SLIs people look at first, and every threshold with its verdict. */
function formatMeasurements(r: RunReport): string[] {
  const x = r.slis
  const ms = (v: number | null) => (v === null ? 'n/a' : formatLatency(v))
  const n = (v: number | null) => (v === null ? 'n/a' : v.toLocaleString('en-US'))
  const lines = [
    `  delivered          ${n(x.messages_delivered)} of ${n(x.messages_published)} published; lost ${n(x.loss)} (${n(x.unexplained_loss)} unexplained), duplicates ${n(x.duplicates)}, reordered ${n(x.reordered)}`,
    `  latency            p50 ${ms(x.latency_p50)}, p95 ${ms(x.latency_p95)}, p99 ${ms(x.latency_p99)}, max ${ms(x.latency_max)}`,
    `  reconnects         ${n(x.reconnects)}: p50 ${ms(x.reconnect_p50)}, p95 ${ms(x.reconnect_p95)}, max ${ms(x.reconnect_max)}; not back ${n(x.not_reconnected)}`,
    `  emulator           RSS peak ${x.rss_peak === null ? 'n/a' : `${Math.round(x.rss_peak / 1048576)} MiB`} (${x.rss_per_device === null ? 'n/a' : `${(x.rss_per_device / 1024).toFixed(1)} KiB/device`}), event-loop lag p99 ${ms(x.event_loop_lag_p99)}`,
  ]
  if (r.thresholds.length === 0) return lines
  lines.push(`  thresholds         ${r.verdict === 'pass' ? 'all passed' : `${r.thresholds.filter((t) => !t.pass).length} of ${r.thresholds.length} FAILED`}`)
  for (const t of r.thresholds) lines.push(`    ${t.pass ? 'ok  ' : 'FAIL'} ${t.sli} ${t.expression}: ${t.detail}`)
  return lines
}
