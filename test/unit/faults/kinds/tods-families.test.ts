/**
 * The pattern kinds — the TODS synthetic families that the older kinds do not already cover
 * (point-contextual, collective-shapelet, collective-seasonal) and broken correlation between
 * co-located sensors — each checked sample by sample against the value worked out here.
 */
import { describe, expect, it } from 'vitest'
import { deriveStream } from '../../../../src/core/index.js'
import { faultKinds, planFaults } from '../../../../src/faults/index.js'
import { checkProfileFile } from '../../../../src/fleet/index.js'
import { wave } from '../../../../src/telemetry/index.js'
import { EPOCH, SEED, SENSORS, checkUntouched, checkWindow, finish, rejects, runDevices } from './value-harness.js'

const W = { atMs: 1_000, durationMs: 3_000 }
const at = { at: '1s', duration: '3s' }

const coLocated = (() => {
  const c = checkProfileFile('test/fixtures/dataset/co-located.device.yaml')
  if (!c.ok) throw new Error(JSON.stringify(c.problems))
  return c.profile
})()

describe('telemetry.contextual (point-contextual)', () => {
  it('moves `samples` readings by sigma × the sensor noise — small for its range, large for its neighbours — then ends by itself', async () => {
    const res = await runDevices([{ id: 'ctx', kind: 'telemetry.contextual', at: '1s', target: { ids: ['dev-0'] }, sensors: ['temperature'], sigma: 8, direction: 'up', samples: 2 }])
    const rows = res.rows.filter((r) => r.deviceId === 'dev-0')
    const hit = rows.filter((r) => r.faultIds.temperature)
    expect(hit).toHaveLength(2)
    // fast-sensor temperature: noise 0.1 → 0.8 °C, on a sine of amplitude 5 in [-40, 85].
    for (const r of hit) expect(r.values.temperature).toBe(finish('temperature', r.clean.temperature! + 0.8))
    expect(hit[0]!.ts).toBeGreaterThanOrEqual(EPOCH + 1_000)
    expect(rows.filter((r) => r.ts >= EPOCH + 1_000).slice(0, 2)).toEqual(hit) // the first two samples from the start
    for (const r of rows) if (!hit.includes(r)) expect(r.values).toEqual(r.clean)
    const rec = res.log.find((l) => l.fault_id === 'ctx')!
    expect([rec.start_ms, rec.end_ms, rec.truncated]).toEqual([EPOCH + 1_000, hit[1]!.ts, false])
    checkUntouched(res, ['dev-1', 'dev-2'])
  })

  it('without a noise it uses one step of the precision; delta overrides; direction random is a seeded draw per device', async () => {
    const res = await runDevices([
      { id: 'h', kind: 'telemetry.contextual', at: '1s', target: { ids: ['dev-0'] }, sensors: ['humidity'], sigma: 6, direction: 'down' },
      { id: 'd', kind: 'telemetry.contextual', at: '1s', target: { ids: ['dev-1'] }, sensors: ['temperature'], delta: 1.25 },
    ])
    const one = (id: string, sensor: string) => res.rows.find((r) => r.deviceId === id && r.faultIds[sensor])!
    const h = one('dev-0', 'humidity') // humidity: no noise, precision 1 → 6 × 0.1 = 0.6
    expect(h.values.humidity).toBe(finish('humidity', h.clean.humidity! - 0.6))
    const sign = deriveStream(SEED, 'fault:d:dev-1', 'direction').next() < 0.5 ? 1 : -1
    const d = one('dev-1', 'temperature')
    expect(d.values.temperature).toBe(finish('temperature', d.clean.temperature! + sign * 1.25))
  })

  it('rejects a negative delta (the sign is direction) and a non-integer samples', () => {
    expect(rejects({ kind: 'telemetry.contextual', at: '1s', delta: -1 }).join()).toMatch(/^delta/)
    expect(rejects({ kind: 'telemetry.contextual', at: '1s', samples: 1.5 }).join()).toMatch(/^samples/)
  })
})

describe('telemetry.shapelet (collective-shapelet)', () => {
  it('replaces the signal by level + amplitude × shape, with the sensor noise from the fault stream', async () => {
    const res = await runDevices([{ id: 'sh', kind: 'telemetry.shapelet', ...at, target: { ids: ['dev-0'] }, sensors: ['temperature'], shape: 'square', period: '2s', amplitude: 3 }])
    const rows = res.rows.filter((r) => r.deviceId === 'dev-0')
    const level = rows.filter((r) => r.ts < EPOCH + 1_000).at(-1)!.clean.temperature!
    const rng = deriveStream(SEED, 'fault:sh:dev-0', 'shapelet')
    const inside = checkWindow(res, 'sh', 'dev-0', ['temperature'], (r, s, start) => finish(s, level + 3 * wave('square', (r.ts - start) / 2_000) + 0.1 * rng.normal()), W)
    // A square wave: the first half-period above the level, the second below.
    expect(inside.filter((r) => r.ts - EPOCH < 1_900).every((r) => r.values.temperature! > level + 2.5)).toBe(true)
    expect(inside.filter((r) => r.ts - EPOCH > 2_100 && r.ts - EPOCH < 2_900).every((r) => r.values.temperature! < level - 2.5)).toBe(true)
    checkUntouched(res, ['dev-1', 'dev-2'])
  })

  it('needs a period and an amplitude, and knows its shapes', () => {
    expect(rejects({ kind: 'telemetry.shapelet', ...at, amplitude: 1 }).join()).toMatch(/^period/)
    expect(rejects({ kind: 'telemetry.shapelet', ...at, period: '1m' }).join()).toMatch(/^amplitude/)
    expect(rejects({ kind: 'telemetry.shapelet', ...at, period: '1m', amplitude: 1, shape: 'zigzag' }).join()).toMatch(/^shape/)
  })
})

describe('telemetry.seasonal (collective-seasonal)', () => {
  it('adds amplitude × sin(2π t / period) on top of the signal (× the ramp)', async () => {
    const res = await runDevices([
      { id: 'se', kind: 'telemetry.seasonal', ...at, target: { ids: ['dev-1'] }, period: '1s', amplitude: 4 },
      { id: 'sr', kind: 'telemetry.seasonal', ...at, ramp: '2s', target: { ids: ['dev-2'] }, sensors: ['temperature'], period: '500ms', amplitude: 2 },
    ])
    checkWindow(res, 'se', 'dev-1', SENSORS, (r, s, start) => finish(s, r.clean[s]! + 4 * Math.sin((2 * Math.PI * (r.ts - start)) / 1_000)), W)
    checkWindow(res, 'sr', 'dev-2', ['temperature'], (r, s, start) => finish(s, r.clean[s]! + 2 * Math.sin((2 * Math.PI * (r.ts - start)) / 500) * Math.min(1, (r.ts - start) / 2_000)), W)
    checkUntouched(res, ['dev-0'])
  })
})

describe('telemetry.decorrelation (broken correlation between co-located sensors)', () => {
  const sensors = Object.keys(coLocated.sensors)

  it('hold: the follower keeps the relation it had at the start; only its own noise moves it', async () => {
    const res = await runDevices([{ id: 'dc', kind: 'telemetry.decorrelation', ...at, target: { ids: ['dev-0'] } }], { profile: coLocated })
    const rows = res.rows.filter((r) => r.deviceId === 'dev-0')
    const t0 = rows.filter((r) => r.ts < EPOCH + 1_000).at(-1)!.clean.temperature!
    // humidity = -2 × temperature + 90 + noise: without the temperature's part since the start.
    const round1 = (v: number) => Math.round(Math.min(100, Math.max(0, v)) * 10) / 10
    const inside = checkWindow(res, 'dc', 'dev-0', ['humidity'], (r) => round1(r.clean.humidity! + 2 * (r.clean.temperature! - t0)), W, sensors)
    // The temperature swings by several degrees in the window; the held humidity by its noise only.
    const spread = (xs: number[]) => Math.max(...xs) - Math.min(...xs)
    expect(spread(inside.map((r) => r.clean.temperature!))).toBeGreaterThan(3)
    expect(spread(inside.map((r) => r.values.humidity!))).toBeLessThan(2)
    expect(spread(inside.map((r) => r.clean.humidity!))).toBeGreaterThan(6)
  })

  it('invert: the follower moves against its source', async () => {
    const res = await runDevices([{ id: 'di', kind: 'telemetry.decorrelation', ...at, target: { ids: ['dev-1'] }, sensors: ['humidity'], mode: 'invert' }], { profile: coLocated })
    const rows = res.rows.filter((r) => r.deviceId === 'dev-1')
    const t0 = rows.filter((r) => r.ts < EPOCH + 1_000).at(-1)!.clean.temperature!
    const round1 = (v: number) => Math.round(Math.min(100, Math.max(0, v)) * 10) / 10
    checkWindow(res, 'di', 'dev-1', ['humidity'], (r) => round1(r.clean.humidity! + 4 * (r.clean.temperature! - t0)), W, sensors)
  })

  it('targets only devices with a correlated sensor (of the named ones)', () => {
    const descriptor = (id: string, correlated: string[]) => ({ id, group: 'g', profile: 'p', labels: {}, sensors: ['temperature', 'humidity'], hasBattery: false, correlated })
    const devices = [descriptor('a', ['humidity']), descriptor('b', []), { ...descriptor('c', []), correlated: undefined }]
    const entry = (extra: Record<string, unknown>) => faultKinds['telemetry.decorrelation']!.entrySchema.parse({ kind: 'telemetry.decorrelation', ...at, ...extra })
    expect(planFaults([entry({})], devices, SEED)[0]!.deviceIds).toEqual(['a'])
    expect(planFaults([entry({ sensors: ['temperature'] })], devices, SEED)[0]!.deviceIds).toEqual([])
  })
})
