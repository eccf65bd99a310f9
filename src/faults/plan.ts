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

export function faultIdFor(entry: FaultEntry, index: number): string {
  return entry.id ?? `f${index + 1}-${entry.kind}`
}

/**
 * The fault plan: a pure function of (faults, devices, seed). Every shard of a run computes the same
 * plan and keeps its own devices.
 */
export function planFaults(faults: readonly FaultEntry[], devices: readonly DeviceDescriptor[], seed: number): PlannedFault[] {
  return faults
    .map((entry, i) => {
      const faultId = faultIdFor(entry, i)
      return {
        faultId,
        kind: entry.kind,
        startMs: entry.at,
        endMs: entry.duration === undefined ? undefined : entry.at + entry.duration,
        deviceIds: selectTargets(devices, entry.target, seed, faultId).map((d) => d.id),
        entry,
      }
    })
    .sort((a, b) => a.startMs - b.startMs || a.faultId.localeCompare(b.faultId))
}
