/**
 * Acceptance 2 of issue 5, over a fleet with every anomaly type (test/fixtures/dataset/all-kinds):
 * labels are exact — rows inside an anomaly's window on its devices and sensors carry its id, rows
 * outside do not, `value != value_clean` only where a value fault is active — every anomaly has its
 * family, type and layer, and every propagated effect names its root cause.
 */
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { faultKinds } from '../../../src/faults/index.js'
import { telemetryValueKinds } from '../../../src/faults/kinds/telemetry-values/index.js'
import { ANOMALY_TAXONOMY } from '../../../src/outputs/index.js'
import { allKindsDataset, readJsonl, readRows, type Row } from './dataset-helpers.js'

interface Record_ {
  fault_id: string
  kind: string
  device_id: string
  start_ms: number
  end_ms: number
  params: { sensors?: string[] }
  root_cause_id: string | null
}
interface Anomaly {
  anomaly_id: string
  type: string
  family: string
  layer: string
  devices: string[]
  sensors: string[]
  start_ms: number
  end_ms: number
  root_cause_id: string | null
  truncated: boolean
}

/** Kinds (and effects) that change what the device reports as values: the value kinds' registry folder. */
const VALUE_KINDS = new Set(telemetryValueKinds.map((k) => k.kind))
const EFFECT_TYPES = ['battery-dead', 'battery-sag', 'cohort-shift', 'counter-reset', 'link-dropout']

let rows: Row[]
let records: Record_[]
let anomalies: Anomaly[]
const byDevice = new Map<string, Row[]>()

beforeAll(async () => {
  const { dir } = await allKindsDataset(21)
  rows = readRows(dir)
  records = readJsonl<Record_>(join(dir, 'faults.jsonl'))
  anomalies = readJsonl<Anomaly>(join(dir, 'anomalies.jsonl'))
  for (const r of rows) (byDevice.get(r.device) ?? byDevice.set(r.device, []).get(r.device)!).push(r)
})

describe('dataset labels (every anomaly type)', () => {
  it('has every fault kind that runs without a broker, every propagated effect, each with its family, type and layer', () => {
    const runnable = Object.values(faultKinds).filter((k) => !k.needsEmbeddedBroker && k.kind !== 'ota-failure').map((k) => k.kind)
    expect(new Set(anomalies.filter((a) => a.root_cause_id === null).map((a) => a.type))).toEqual(new Set(runnable))
    expect([...new Set(anomalies.filter((a) => a.root_cause_id !== null).map((a) => a.type))].sort()).toEqual(EFFECT_TYPES)
    for (const a of anomalies) {
      expect(ANOMALY_TAXONOMY[a.type], a.type).toBeDefined()
      expect({ family: a.family, layer: a.layer }, a.anomaly_id).toEqual(ANOMALY_TAXONOMY[a.type])
      expect(['point', 'contextual', 'collective']).toContain(a.family)
      expect(['sensor', 'device', 'network', 'fleet']).toContain(a.layer)
    }
    // The five TODS families are among them, under their kinds.
    for (const type of ['telemetry.spike', 'telemetry.contextual', 'telemetry.shapelet', 'telemetry.seasonal', 'telemetry.drift']) expect(anomalies.some((a) => a.type === type), type).toBe(true)
  })

  it('rows strictly inside an anomaly window on its devices and sensors carry its id; rows outside do not', () => {
    // A fault has one record per device; an effect may have several (a flap's dropouts): its windows.
    const windows = new Map<string, Record_[]>()
    for (const rec of records) {
      const key = `${rec.fault_id}\u0000${rec.device_id}`
      ;(windows.get(key) ?? windows.set(key, []).get(key)!).push(rec)
    }
    let inside = 0
    for (const recs of windows.values()) {
      const { fault_id: id, device_id: device, params } = recs[0]!
      for (const r of byDevice.get(device) ?? []) {
        if (params.sensors && !params.sensors.includes(r.sensor)) {
          expect(r.ids, r.line).not.toContain(id)
          continue
        }
        if (recs.some((rec) => r.ts > rec.start_ms && r.ts < rec.end_ms)) {
          expect(r.ids, `${id} ${r.line}`).toContain(id)
          inside++
        } else if (recs.every((rec) => r.ts < rec.start_ms || r.ts > rec.end_ms)) expect(r.ids, `${id} ${r.line}`).not.toContain(id)
      }
    }
    expect(inside).toBeGreaterThan(1000)
    // Ids on rows are only of the log's records on that device; is_anomaly ⇔ some id.
    for (const r of rows) {
      expect(r.isAnomaly).toBe(r.ids.length > 0)
      for (const id of r.ids) expect(windows.has(`${id}\u0000${r.device}`), `${id} ${r.line}`).toBe(true)
    }
    // Every anomaly's devices and sensors are the ones its rows show.
    for (const a of anomalies) {
      const labelled = rows.filter((r) => r.ids.includes(a.anomaly_id))
      expect(new Set(labelled.map((r) => r.device)), a.anomaly_id).toEqual(new Set(a.devices.filter((d) => labelled.some((r) => r.device === d))))
      for (const r of labelled) expect(a.sensors).toContain(r.sensor)
    }
  })

  it('value != value_clean only where a value fault is active — and every value fault changed some value', () => {
    const kindOf = new Map(records.map((r) => [r.fault_id, r.kind]))
    let changed = 0
    for (const r of rows) {
      if (r.value === r.clean) continue
      changed++
      expect(r.ids.some((id) => VALUE_KINDS.has(kindOf.get(id)!)), r.line).toBe(true)
    }
    expect(changed).toBeGreaterThan(100)
    for (const a of anomalies.filter((x) => VALUE_KINDS.has(x.type))) {
      const labelled = rows.filter((r) => r.ids.includes(a.anomaly_id))
      if (labelled.length === 0) continue // a rate-drawn blip on a device that was already dead
      expect(labelled.some((r) => r.value !== r.clean), a.anomaly_id).toBe(true)
    }
  })

  it('every propagated effect names its root cause, an anomaly of the kind that causes it', () => {
    const ids = new Map(anomalies.map((a) => [a.anomaly_id, a]))
    const effects = anomalies.filter((a) => a.root_cause_id !== null)
    expect(effects.length).toBeGreaterThanOrEqual(10)
    for (const e of effects) {
      const cause = ids.get(e.root_cause_id!)
      expect(cause, e.anomaly_id).toBeDefined()
      expect(cause!.root_cause_id).toBeNull()
      expect(e.anomaly_id).toBe(`${cause!.anomaly_id}/${e.type}`)
      expect(faultKinds[cause!.type]!.effects?.flatMap((x) => x.types), e.anomaly_id).toContain(e.type)
      expect(e.start_ms).toBeGreaterThanOrEqual(cause!.start_ms)
      for (const d of e.devices) expect(cause!.devices).toContain(d)
    }
    // The outage's dropouts outlast it: the reconnect backoff is part of the effect.
    const outage = ids.get('regional-outage-at-2m30s')!
    expect(ids.get('regional-outage-at-2m30s/link-dropout')!.end_ms).toBeGreaterThan(outage.end_ms)
  })

  it('the effects show in the rows: dropouts offline, the reset sample at seq 1, the release on its version, nothing from a dead device', () => {
    for (const r of rows) {
      if (r.ids.some((id) => id.endsWith('/link-dropout'))) expect(r.connectivity, r.line).not.toBe('online')
      if (r.ids.some((id) => id.endsWith('/counter-reset'))) expect(r.seq, r.line).toBe(1)
    }
    expect(rows.some((r) => r.ids.includes('crash-reset/counter-reset'))).toBe(true)
    const rollout = records.filter((r) => r.fault_id === 'fw-160')
    expect(rollout).toHaveLength(2)
    for (const rec of rollout) {
      const during = byDevice.get(rec.device_id)!.filter((r) => r.ts > rec.start_ms && r.ts < rec.end_ms)
      expect(during.length).toBeGreaterThan(10)
      for (const r of during) expect(r.firmware, r.line).toBe('1.6.0')
      for (const r of byDevice.get(rec.device_id)!.filter((x) => x.ts > rec.end_ms)) expect(r.firmware).toBe('1.0.0')
    }
    const dead = records.find((r) => r.fault_id === 'flat/battery-dead')!
    expect(byDevice.get(dead.device_id)!.filter((r) => r.ts > dead.start_ms)).toEqual([])
    expect(records.find((r) => r.fault_id === 'flat/battery-sag')!.end_ms).toBe(dead.start_ms)
  })

  it('a rate-scheduled fault (perDevicePerDay) gives single-device occurrences on its targets', () => {
    const blips = anomalies.filter((a) => a.anomaly_id.startsWith('blips#'))
    expect(blips.length).toBeGreaterThan(5)
    for (const b of blips) {
      expect(b.devices).toHaveLength(1)
      expect(b.devices[0]).toMatch(/^p-/)
    }
    expect(blips.map((b) => b.anomaly_id)).toEqual(blips.map((_, i) => `blips#${i + 1}`))
  })
})
