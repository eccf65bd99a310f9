import { deriveStream, sampleWithoutReplacement } from '../core/index.js'
import type { TargetSpec } from '../spec/index.js'

/** What target selection needs to know about a device (no live state: selection is pure). */
export interface DeviceDescriptor {
  id: string
  group: string
  profile: string
  labels: Readonly<Record<string, string>>
  sensors: readonly string[]
  hasBattery: boolean
  /** Its sensors whose signal follows another of its sensors (`correlated`); none when absent. */
  correlated?: readonly string[]
}

function globToRegExp(glob: string): RegExp {
  const escaped = glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')
  return new RegExp(`^${escaped}$`)
}

/**
 * Picks a fault's devices: filters first (group, ids/globs, labels, profile, and for faults on named
 * sensors, devices that have one of them), then a seeded `count`
 * or `fraction` of what is left, drawn from the fault's own stream `(seed, fault id, "faults")` so
 * adding a fault never changes another fault's devices. Returned in fleet order.
 */
export function selectTargets(
  devices: readonly DeviceDescriptor[],
  target: TargetSpec,
  seed: number,
  faultId: string,
  sensors?: readonly string[],
  appliesTo?: (d: DeviceDescriptor) => boolean,
): DeviceDescriptor[] {
  const idPatterns = target.ids?.map(globToRegExp)
  const matching = devices.filter(
    (d) =>
      (!appliesTo || appliesTo(d)) &&
      // A fault on named sensors can only hit devices that have one of them.
      (!sensors || sensors.some((s) => d.sensors.includes(s))) &&
      (!target.group || target.group.includes(d.group)) &&
      (!target.profile || target.profile === d.profile) &&
      (!idPatterns || idPatterns.some((re) => re.test(d.id))) &&
      (!target.labels || Object.entries(target.labels).every(([k, v]) => d.labels[k] === v)),
  )
  let k = matching.length
  if (target.count !== undefined) k = Math.min(target.count, matching.length)
  else if (target.fraction !== undefined) k = target.fraction === 0 ? 0 : Math.max(1, Math.round(matching.length * target.fraction))
  if (k === matching.length) return matching
  const chosen = new Set(sampleWithoutReplacement(deriveStream(seed, `fault:${faultId}`, 'faults'), matching, k))
  return matching.filter((d) => chosen.has(d))
}
