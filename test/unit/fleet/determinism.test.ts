import { describe, expect, it } from 'vitest'
import { VirtualClock } from '../../../src/core/index.js'
import { Fleet, loadFleet } from '../../../src/fleet/index.js'

const FLEET = 'test/fixtures/integration/virtual.fleet.yaml'
const EPOCH = Date.UTC(2026, 0, 1)

interface Row {
  deviceId: string
  seq: number
  ts: number
  values: Record<string, number | null>
  clean: Record<string, number>
  faultIds: Record<string, string[]>
}

/** Runs the fleet in virtual time (in-process transport, no sockets) and returns every telemetry row. */
async function runVirtual(seed: number, opts: { minutes?: number; withoutFaults?: boolean } = {}): Promise<{ rows: Row[]; fleet: Fleet }> {
  const clock = new VirtualClock({ epochMs: EPOCH })
  const resolved = loadFleet(FLEET)
  const spec = opts.withoutFaults ? { ...resolved.spec, faults: [] } : resolved.spec
  const fleet = new Fleet({ ...resolved, spec }, { seed, clock, transport: 'in-process', metricsPort: false })
  const rows: Row[] = []
  fleet.on('telemetry', (t: Row) => rows.push({ deviceId: t.deviceId, seq: t.seq, ts: t.ts, values: { ...t.values }, clean: { ...t.clean }, faultIds: structuredClone(t.faultIds) }))
  await fleet.start()
  clock.runUntil(EPOCH + (opts.minutes ?? 5) * 60_000)
  await fleet.stop()
  return { rows, fleet }
}

const byDevice = (rows: Row[]) => {
  const m = new Map<string, Row[]>()
  for (const r of rows) (m.get(r.deviceId) ?? m.set(r.deviceId, []).get(r.deviceId)!).push(r)
  return m
}

describe('determinism (virtual time, in-process transport)', () => {
  it('same seed gives identical per-device value sequences, timestamps and fault logs', async () => {
    const a = await runVirtual(3)
    const b = await runVirtual(3)
    expect(a.rows.length).toBeGreaterThan(1000)
    expect(b.rows).toEqual(a.rows)
    expect(b.fleet.faultLog).toEqual(a.fleet.faultLog)
  })

  it('a different seed gives different values for every device', async () => {
    const a = byDevice((await runVirtual(3)).rows)
    const b = byDevice((await runVirtual(4)).rows)
    for (const [id, rowsA] of a) {
      const valuesA = rowsA.slice(0, 20).map((r) => r.values)
      const valuesB = b.get(id)!.slice(0, 20).map((r) => r.values)
      expect(valuesB, id).not.toEqual(valuesA)
    }
  })

  it('every device samples on its own seeded schedule, with seq strictly increasing', async () => {
    const { rows } = await runVirtual(5, { minutes: 2 })
    for (const [, list] of byDevice(rows)) {
      for (let i = 1; i < list.length; i++) {
        expect(list[i]!.seq).toBe(list[i - 1]!.seq + 1)
        expect(list[i]!.ts).toBeGreaterThan(list[i - 1]!.ts)
      }
    }
  })

  it('the fault plan picks the same devices for the same seed', () => {
    const plan = (seed: number) => new Fleet(loadFleet(FLEET), { seed, transport: 'in-process', metricsPort: false, clock: new VirtualClock() }).plan
    expect(plan(9)).toEqual(plan(9))
    expect(plan(9).map((p) => p.deviceIds)).not.toEqual(plan(10).map((p) => p.deviceIds))
  })

  it('values differ from the clean signal only inside a logged fault window on that device', async () => {
    const { rows, fleet } = await runVirtual(6, { minutes: 4 })
    const log = fleet.faultLog
    // The faults, and the link dropouts the disconnect caused.
    expect(new Set(log.map((r) => r.kind))).toEqual(new Set(['telemetry.spike', 'telemetry.stuck', 'disconnect', 'link-dropout']))
    for (const r of log) expect(r.root_cause_id).toBe(r.kind === 'link-dropout' ? r.fault_id.replace(/\/link-dropout$/, '') : null)
    let faulty = 0
    for (const r of rows) {
      for (const [sensor, value] of Object.entries(r.values)) {
        const ids = r.faultIds[sensor] ?? []
        if (value !== r.clean[sensor]) expect(ids.length, `${r.deviceId} ${sensor} @${r.ts}`).toBeGreaterThan(0)
        for (const id of ids) {
          faulty++
          const rec = log.find((l) => l.fault_id === id && l.device_id === r.deviceId)
          expect(rec, id).toBeDefined()
          expect(r.ts).toBeGreaterThanOrEqual(rec!.start_ms)
          expect(r.ts).toBeLessThanOrEqual(rec!.end_ms)
        }
      }
    }
    // 2 devices × 3 spiked samples, plus one stuck meter for 30 s at a 10 s period.
    expect(faulty).toBeGreaterThanOrEqual(6 + 2)
  })

  it('adding faults does not change the values of devices they do not target', async () => {
    const withFaults = await runVirtual(8, { minutes: 4 })
    const clean = byDevice((await runVirtual(8, { minutes: 4, withoutFaults: true })).rows)
    const targeted = new Set(withFaults.fleet.plan.flatMap((p) => p.deviceIds))
    const untouched = [...byDevice(withFaults.rows)].filter(([id]) => !targeted.has(id))
    expect(untouched.length).toBeGreaterThan(0)
    for (const [id, rows] of untouched) expect(rows.map((r) => r.values), id).toEqual(clean.get(id)!.map((r) => r.values))
    // Targeted devices keep their clean signal too: faults change what is reported, not the physics.
    for (const [id, rows] of byDevice(withFaults.rows)) {
      const cleanValues = new Map(clean.get(id)!.map((r) => [r.ts, r.clean]))
      for (const r of rows) if (cleanValues.has(r.ts)) expect(r.clean, id).toEqual(cleanValues.get(r.ts))
    }
  })
})
