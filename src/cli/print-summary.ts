import { formatDuration } from '../core/index.js'
import type { RunSummary } from '../fleet/index.js'

/** The end-of-run summary for people. */
export function formatSummary(s: RunSummary, outDir: string | undefined): string {
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
  if (outDir) lines.push(`  outputs            ${outDir}/ (summary.json, faults.jsonl)`)
  return lines.join('\n') + '\n'
}
