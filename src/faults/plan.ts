import { deriveStream, errors, formatDuration } from '../core/index.js'
import type { FaultEntry } from './fault-kind.js'
import { faultKinds } from './registry.js'
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
 * The fault plan: a pure function of (faults, devices, seed, run length). Repeated faults (`every`)
 * expand into occurrences `<id>#1`, `<id>#2`…; `probability` keeps each targeted device in each
 * occurrence with a seeded per-device draw. Every shard of a run computes the same plan and keeps its
 * own devices.
 */
export function planFaults(faults: readonly FaultEntry[], devices: readonly DeviceDescriptor[], seed: number, runDurationMs = Infinity): PlannedFault[] {
  const ids = defaultFaultIds(faults)
  const plan: PlannedFault[] = []
  faults.forEach((entry, i) => {
    const baseId = ids[i]!
    const sensors = Array.isArray(entry.sensors) ? (entry.sensors as string[]) : undefined
    const kind = faultKinds[entry.kind]
    const appliesTo = kind?.appliesTo && ((d: DeviceDescriptor) => kind.appliesTo!(d, entry))
    if (entry.perDevicePerDay !== undefined) {
      plan.push(...rateOccurrences(entry, baseId, selectTargets(devices, entry.target, seed, baseId, sensors, appliesTo), seed, runDurationMs))
      return
    }
    const starts = occurrenceStarts(entry, runDurationMs)
    starts.forEach((startMs, n) => {
      const faultId = entry.every === undefined ? baseId : `${baseId}#${n + 1}`
      // A repeated fault re-draws its targets each time (seeded by occurrence id).
      let targets = selectTargets(devices, entry.target, seed, faultId, sensors, appliesTo)
      if (entry.probability !== undefined) {
        const p = entry.probability
        targets = targets.filter((d) => deriveStream(seed, `fault:${faultId}:${d.id}`, 'probability').next() < p)
      }
      plan.push({
        faultId,
        kind: entry.kind,
        startMs,
        endMs: entry.duration === undefined ? undefined : startMs + entry.duration,
        deviceIds: targets.map((d) => d.id),
        entry,
      })
    })
  })
  return plan.sort((a, b) => a.startMs - b.startMs || a.faultId.localeCompare(b.faultId))
}

const DAY_MS = 86_400_000
/** A bound on the occurrences one rate-scheduled fault may expand into: more is a mistake. */
export const MAX_RATE_OCCURRENCES = 1_000_000

/**
 * `perDevicePerDay`: each targeted device gets its own Poisson process of occurrences from `at` to
 * `until` (or the run end), drawn from the stream `(seed, fault:<id>:<device>, "faults")` — so adding a
 * fault or a device never moves another device's occurrences. After an occurrence, the next one is
 * drawn from its end (a fault does not overlap itself on a device). Occurrences are single-device,
 * numbered `<id>#1`, `<id>#2`… in start order over the fleet (ties in fleet order).
 */
function rateOccurrences(entry: FaultEntry, baseId: string, targets: readonly DeviceDescriptor[], seed: number, runDurationMs: number): PlannedFault[] {
  const meanGapMs = DAY_MS / entry.perDevicePerDay!
  const last = Math.min(entry.until ?? Infinity, runDurationMs)
  if (!Number.isFinite(last)) throw errors.badArgument(`fault ${baseId}: perDevicePerDay needs a run length or until (an endless Poisson process cannot be planned)`)
  const starts: { startMs: number; order: number; device: string }[] = []
  targets.forEach((d, order) => {
    const rng = deriveStream(seed, `fault:${baseId}:${d.id}`, 'faults')
    let t = entry.at
    for (;;) {
      t += Math.round(-Math.log(1 - rng.next()) * meanGapMs)
      if (t > last || t >= runDurationMs) break
      starts.push({ startMs: t, order, device: d.id })
      if (starts.length > MAX_RATE_OCCURRENCES) {
        throw errors.badArgument(`fault ${baseId}: perDevicePerDay ${entry.perDevicePerDay} expands into more than ${MAX_RATE_OCCURRENCES} occurrences`, 'Lower the rate, target fewer devices or give until.')
      }
      t += entry.duration ?? 0
    }
  })
  starts.sort((a, b) => a.startMs - b.startMs || a.order - b.order)
  return starts.map(({ startMs, device }, n) => ({
    faultId: `${baseId}#${n + 1}`,
    kind: entry.kind,
    startMs,
    endMs: entry.duration === undefined ? undefined : startMs + entry.duration,
    deviceIds: [device],
    entry,
  }))
}

/** Start times of a fault's occurrences, ms since run start. */
export function occurrenceStarts(entry: FaultEntry, runDurationMs: number): number[] {
  if (entry.every === undefined) return [entry.at]
  const last = Math.min(entry.until ?? Infinity, runDurationMs)
  const out: number[] = []
  for (let t = entry.at; t <= last && out.length < (entry.times ?? Infinity); t += entry.every) {
    if (t >= runDurationMs) break
    out.push(t)
    if (out.length >= 100_000) break // a bound: a schedule that would expand further is a mistake
  }
  return out
}
