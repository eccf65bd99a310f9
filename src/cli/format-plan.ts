import { formatDuration } from '../core/index.js'
import type { FleetPlan } from '../fleet/index.js'

function table(rows: string[][], rightAligned: ReadonlySet<number> = new Set()): string[] {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)))
  return rows.map((r) => '  ' + r.map((cell, c) => (rightAligned.has(c) ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!))).join('  ').trimEnd())
}

function sampleIds(ids: readonly string[], max = 4): string {
  if (ids.length === 0) return '—'
  return ids.length <= max ? ids.join(', ') : `${ids.slice(0, max).join(', ')}, … (+${ids.length - max})`
}

/** `fleet-emu plan` for people: devices, the connect ramp, and the fault timeline. */
export function formatPlan(v: FleetPlan): string {
  const { fleet, faults: plan } = v
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
  if (v.warnings.length > 0) out.push('', 'Warnings', ...v.warnings.map((w) => `  ! ${w}`))
  return out.join('\n') + '\n'
}
