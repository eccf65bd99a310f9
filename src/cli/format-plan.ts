import { formatDuration } from '../core/index.js'
import type { PlannedFault } from '../faults/index.js'
import type { ResolvedFleet } from '../fleet/index.js'

export interface FleetPlanView {
  fleet: ResolvedFleet
  seed: number
  durationMs: number
  rampRate: number
  external: string | undefined
  plan: readonly PlannedFault[]
  needsEmbedded: (kind: string) => boolean
}

function table(rows: string[][], rightAligned: ReadonlySet<number> = new Set()): string[] {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)))
  return rows.map((r) => '  ' + r.map((cell, c) => (rightAligned.has(c) ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!))).join('  ').trimEnd())
}

function sampleIds(ids: readonly string[], max = 4): string {
  if (ids.length === 0) return '—'
  return ids.length <= max ? ids.join(', ') : `${ids.slice(0, max).join(', ')}, … (+${ids.length - max})`
}

/** `fleet-emu plan` for people: devices, the connect ramp, and the fault timeline. */
export function formatPlan(v: FleetPlanView): string {
  const { fleet, plan } = v
  const spec = fleet.spec
  const out: string[] = []
  out.push(`${spec.name}: ${fleet.devices.length} devices, seed ${v.seed}, duration ${formatDuration(v.durationMs)}, broker ${v.external ?? `embedded ${spec.broker.host}:${spec.broker.port}`}`)
  out.push('', 'Devices')
  const groups = spec.groups.map((g) => {
    const ids = fleet.devices.filter((d) => d.group === g.name).map((d) => d.id)
    return [g.name, fleet.profiles.get(g.profile)!.name, String(ids.length), ids.length === 0 ? '—' : ids.length === 1 ? ids[0]! : `${ids[0]} … ${ids.at(-1)}`]
  })
  out.push(...table([['group', 'profile', 'count', 'ids'], ...groups], new Set([2])))
  const rampMs = Math.ceil((fleet.devices.length / v.rampRate) * 1000)
  out.push('', `Ramp: ${v.rampRate} devices/s — all ${fleet.devices.length} powered on by ${formatDuration(rampMs)}`)
  out.push('', `Fault timeline (${plan.length} occurrence${plan.length === 1 ? '' : 's'})`)
  if (plan.length === 0) out.push('  none')
  else {
    const rows = plan.map((p) => [
      formatDuration(p.startMs),
      p.endMs === undefined ? 'self' : formatDuration(p.endMs),
      p.faultId,
      p.kind,
      String(p.deviceIds.length),
      sampleIds(p.deviceIds),
    ])
    out.push(...table([['start', 'end', 'fault', 'kind', 'devices', 'which'], ...rows], new Set([4])))
  }
  const warnings = planWarnings(v)
  if (warnings.length > 0) out.push('', 'Warnings', ...warnings.map((w) => `  ! ${w}`))
  return out.join('\n') + '\n'
}

export function planWarnings(v: FleetPlanView): string[] {
  const w: string[] = []
  for (const p of v.plan) {
    if (p.deviceIds.length === 0) w.push(`${p.faultId} selects no device`)
    if (p.startMs >= v.durationMs) w.push(`${p.faultId} starts at ${formatDuration(p.startMs)}, after the run ends (${formatDuration(v.durationMs)})`)
    else if (p.endMs !== undefined && p.endMs > v.durationMs) w.push(`${p.faultId} is cut short: it would end at ${formatDuration(p.endMs)}`)
    if (v.external && v.needsEmbedded(p.kind)) w.push(`${p.faultId} (${p.kind}) needs the embedded broker and will be skipped with ${v.external}`)
  }
  return w
}
