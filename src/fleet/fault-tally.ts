import type { FaultRecord } from '../faults/index.js'
import type { RunReport } from '../outputs/index.js'
import type { RunSummary } from './summary.js'

/** Records of one fault id that start this close together (clock ms) are one occurrence. */
const SAME_OCCURRENCE_MS = 1_000

/**
 * What the run summary and the report say about faults, counted as each fault-log record closes, so
 * neither needs the log to keep its records: in an hours-long soak they are one per device per fault
 * (~300 bytes each), and faults.jsonl has them all. Propagated effects are not faults: they are
 * skipped (faults.jsonl has both).
 */
export class FaultTally {
  private readonly byId = new Map<string, RunSummary['faults'][number]>()
  private readonly occurrences: RunReport['faults'] = []
  private readonly lastOccurrence = new Map<string, RunReport['faults'][number]>()

  /** `runStartMs`: the run's start (clock ms); occurrences are relative to it. */
  constructor(private readonly runStartMs: number) {}

  add(r: FaultRecord): void {
    if (r.root_cause_id !== null) return
    const f = this.byId.get(r.fault_id) ?? this.byId.set(r.fault_id, { faultId: r.fault_id, kind: r.kind, devices: 0, truncated: 0 }).get(r.fault_id)!
    f.devices++
    if (r.truncated) f.truncated++
    // One occurrence per fault id's records, whether they started on the same ms or, across device
    // shards, a few ms apart; the same id again after it ended (a runtime id reused) is another.
    const startMs = r.start_ms - this.runStartMs
    const endMs = r.end_ms - this.runStartMs
    const o = this.lastOccurrence.get(r.fault_id)
    if (o && Math.abs(startMs - o.startMs) <= SAME_OCCURRENCE_MS) {
      o.devices++
      o.startMs = Math.min(o.startMs, startMs)
      o.endMs = Math.max(o.endMs, endMs)
    } else {
      const entry = { faultId: r.fault_id, kind: r.kind, startMs, endMs, devices: 1 }
      this.occurrences.push(entry)
      this.lastOccurrence.set(r.fault_id, entry)
    }
  }

  /** Per fault id: devices it was applied to, and how many of those were cut short by the stop. */
  summary(): RunSummary['faults'] {
    return [...this.byId.values()].map((f) => ({ ...f }))
  }

  /** Each occurrence with its window (ms after the run start) and devices: the report's fault timeline. */
  timeline(): RunReport['faults'] {
    return this.occurrences.map((o) => ({ ...o }))
  }
}
