import { formatDuration } from '../core/index.js'
import { faultKinds, planFaults, type DeviceDescriptor, type PlannedFault } from '../faults/index.js'
import type { ResolvedFleet } from './load-fleet.js'

export type { PlannedFault } from '../faults/index.js'

/** Everything `fleet-emu plan` shows: a fleet's devices, ramp and fault timeline, computed, not run. */
export interface FleetPlan {
  fleet: ResolvedFleet
  seed: number
  durationMs: number
  rampRate: number
  /** External broker URL, or undefined for the embedded broker. */
  external: string | undefined
  faults: PlannedFault[]
  warnings: string[]
}

export function describeDevices(resolved: ResolvedFleet): DeviceDescriptor[] {
  return resolved.devices.map((d) => ({
    id: d.id,
    group: d.group,
    profile: d.profile.name,
    labels: d.labels,
    sensors: Object.keys(d.profile.sensors),
    hasBattery: d.profile.battery !== undefined,
    correlated: Object.entries(d.profile.sensors)
      .filter(([, spec]) => spec.signal.kind === 'correlated')
      .map(([name]) => name),
  }))
}

/** The fault plan a run of this fleet would follow (the same pure function the run uses). */
export function planFleet(fleet: ResolvedFleet, opts: { seed?: number; durationMs?: number; brokerUrl?: string } = {}): FleetPlan {
  const seed = opts.seed ?? fleet.spec.seed
  const durationMs = opts.durationMs ?? fleet.spec.duration
  const external = opts.brokerUrl ?? fleet.spec.broker.url
  const faults = planFaults(fleet.spec.faults, describeDevices(fleet), seed, durationMs)
  const warnings: string[] = []
  for (const p of faults) {
    if (p.deviceIds.length === 0) warnings.push(`${p.faultId} selects no device`)
    if (p.startMs >= durationMs) warnings.push(`${p.faultId} starts at ${formatDuration(p.startMs)}, after the run ends (${formatDuration(durationMs)})`)
    else if (p.endMs !== undefined && p.endMs > durationMs) warnings.push(`${p.faultId} is cut short: it would end at ${formatDuration(p.endMs)}`)
    if (external && faultKinds[p.kind]?.needsEmbeddedBroker) warnings.push(`${p.faultId} (${p.kind}) needs the embedded broker and will be skipped with ${external}`)
  }
  return { fleet, seed, durationMs, rampRate: fleet.spec.ramp.rate, external, faults, warnings }
}
