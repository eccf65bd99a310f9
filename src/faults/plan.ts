import { formatDuration } from '../core/index.js'
import type { FaultEntry } from './fault-kind.js'
import { selectTargets, type DeviceDescriptor } from './target.js'

/** One fault on the timeline: which devices, from when, until when (ms since run start). */
export interface PlannedFault {
  faultId: string
  kind: string
  startMs: number
  /** Undefined for faults that end on their own per device (a spike of N samples). */
  endMs: number | undefined
  deviceIds: string[]
  entry: FaultEntry
}

/**
 * Default fault ids name the fault by what it is, not where it sits in the file (`disconnect-at-20s`,
 * then `disconnect-at-20s-2`…), so inserting a fault never renames — or, since the id seeds target
 * selection, re-targets — another one.
 */
export function defaultFaultIds(entries: readonly FaultEntry[]): string[] {
  const explicit = new Set(entries.map((e) => e.id).filter((id): id is string => id !== undefined))
  const seen = new Map<string, number>()
  return entries.map((e) => {
    if (e.id !== undefined) return e.id
    const base = `${e.kind}-at-${formatDuration(e.at)}`
    let n = seen.get(base) ?? 0
    let id: string
    do id = ++n === 1 ? base : `${base}-${n}`
    while (explicit.has(id))
    seen.set(base, n)
    return id
  })
}

/**
 * The fault plan: a pure function of (faults, devices, seed). Every shard of a run computes the same
 * plan and keeps its own devices.
 */
export function planFaults(faults: readonly FaultEntry[], devices: readonly DeviceDescriptor[], seed: number): PlannedFault[] {
  const ids = defaultFaultIds(faults)
  return faults
    .map((entry, i) => {
      const faultId = ids[i]!
      return {
        faultId,
        kind: entry.kind,
        startMs: entry.at,
        endMs: entry.duration === undefined ? undefined : entry.at + entry.duration,
        deviceIds: selectTargets(devices, entry.target, seed, faultId, Array.isArray(entry.sensors) ? (entry.sensors as string[]) : undefined).map((d) => d.id),
        entry,
      }
    })
    .sort((a, b) => a.startMs - b.startMs || a.faultId.localeCompare(b.faultId))
}
