import { ANOMALY_TAXONOMY, type AnomalyFamily, type AnomalyLayer } from './taxonomy.js'

/** A fault-log record as datasets need it (the fleet passes them in; outputs do not know faults). */
export interface AnomalySourceRecord {
  fault_id: string
  kind: string
  device_id: string
  start_ms: number
  end_ms: number
  params: Record<string, unknown>
  /** The fault a propagated effect follows from; null for a fault. */
  root_cause_id: string | null
  truncated: boolean
}

/** One row of anomalies.jsonl: one anomaly event (a fault occurrence) over all the devices it hit. */
export interface AnomalyEvent {
  anomaly_id: string
  type: string
  family: AnomalyFamily
  layer: AnomalyLayer
  devices: string[]
  sensors: string[]
  start: string
  end: string
  start_ms: number
  end_ms: number
  /** Gradual onset (the fault's `ramp`), ms; 0 when it starts at full strength. */
  onset_ms: number
  params: Record<string, unknown>
  /**
   * The anomaly this one follows from, for propagated effects (`south-outage/link-dropout` →
   * `south-outage`); null when it is its own root cause.
   */
  root_cause_id: string | null
  /** True when the run ended before the anomaly did. */
  truncated: boolean
}

/** Groups fault-log records into anomaly events, ordered by start then id (deterministic). */
export function buildAnomalyEvents(records: readonly AnomalySourceRecord[], sensorsOf: (deviceId: string) => readonly string[]): AnomalyEvent[] {
  const byId = new Map<string, AnomalySourceRecord[]>()
  for (const r of records) (byId.get(r.fault_id) ?? byId.set(r.fault_id, []).get(r.fault_id)!).push(r)
  const events: AnomalyEvent[] = []
  for (const [id, recs] of byId) {
    const first = recs[0]!
    const devices = [...new Set(recs.map((r) => r.device_id))].sort()
    const named = Array.isArray(first.params.sensors) ? (first.params.sensors as string[]) : undefined
    const sensors = [...new Set(devices.flatMap((d) => sensorsOf(d).filter((s) => !named || named.includes(s))))].sort()
    const start = Math.min(...recs.map((r) => r.start_ms))
    const end = Math.max(...recs.map((r) => r.end_ms))
    const taxonomy = ANOMALY_TAXONOMY[first.kind] ?? { family: 'collective', layer: 'device' }
    events.push({
      anomaly_id: id,
      type: first.kind,
      family: taxonomy.family,
      layer: taxonomy.layer,
      devices,
      sensors,
      start: new Date(start).toISOString(),
      end: new Date(end).toISOString(),
      start_ms: start,
      end_ms: end,
      onset_ms: typeof first.params.ramp === 'number' ? first.params.ramp : 0,
      params: first.params,
      root_cause_id: first.root_cause_id,
      truncated: recs.some((r) => r.truncated),
    })
  }
  return events.sort((a, b) => a.start_ms - b.start_ms || (a.anomaly_id < b.anomaly_id ? -1 : 1))
}

/** What orders a faults.jsonl line. */
export interface FaultLogLine {
  fault_id: string
  device_id: string
  start_ms: number
  end_ms: number
}

/**
 * faults.jsonl's canonical order — as records close, ties by start, fault, device — so the file does
 * not depend on how devices were split among workers or shards (a dataset writes it, a merge re-sorts).
 */
export function byFaultLogOrder(a: FaultLogLine, b: FaultLogLine): number {
  return a.end_ms - b.end_ms || a.start_ms - b.start_ms || compareText(a.fault_id, b.fault_id) || compareText(a.device_id, b.device_id)
}

const compareText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0)
