import { describe, expect, it } from 'vitest'
import { deriveStream, isFleetError, VirtualClock, type FleetError } from '../../../../src/core/index.js'
import { telemetryValueKinds } from '../../../../src/faults/kinds/telemetry-values/index.js'
import { faultKinds } from '../../../../src/faults/index.js'
import { Fleet, loadFleet } from '../../../../src/fleet/index.js'
import { EPOCH, SEED, SENSORS, checkUntouched, checkWindow, finish, rejects, round, runDevices, spec, type Row } from './value-harness.js'

const FLEET_FILE = 'test/fixtures/faults/telemetry-values.fleet.yaml'

const W = { atMs: 1_000, durationMs: 3_000 }
const at = { at: '1s', duration: '3s' }
const intensity = (ts: number, startMs: number, rampMs: number) => Math.min(1, (ts - startMs) / rampMs)

describe('telemetry value kinds: registry', () => {
  const names = [
    'telemetry.spike',
    'telemetry.stuck',
    'telemetry.drift',
    'telemetry.offset',
    'telemetry.gain',
    'telemetry.noise',
    'telemetry.dropout',
    'telemetry.clipping',
    'telemetry.nan',
    'telemetry.unit-change',
    'telemetry.contextual',
    'telemetry.shapelet',
    'telemetry.seasonal',
    'telemetry.decorrelation',
    'sensor-failure',
    'cohort-shift',
  ]

  it('registers every kind of the folder, by name, in the global registry', () => {
    expect(telemetryValueKinds.map((k) => k.kind)).toEqual(names)
    for (const k of telemetryValueKinds) expect(faultKinds[k.kind]).toBe(k)
  })

  it('gives each kind a group, a summary and an example that its own schema accepts', () => {
    const groups = Object.fromEntries(telemetryValueKinds.map((k) => [k.kind, k.group]))
    expect(groups['sensor-failure']).toBe('device')
    expect(groups['cohort-shift']).toBe('fleet')
    for (const name of names.slice(0, 14)) expect(groups[name], name).toBe('telemetry')
    for (const k of telemetryValueKinds) {
      expect(k.summary.length, k.kind).toBeGreaterThan(10)
      expect(k.example.kind).toBe(k.kind)
      const parsed = k.entrySchema.safeParse(k.example)
      expect(parsed.success, `${k.kind}: ${JSON.stringify(parsed.error?.issues)}`).toBe(true)
    }
  })

  it('rejects unknown parameters in every kind (strict schemas)', () => {
    for (const k of telemetryValueKinds) {
      const msgs = rejects({ ...k.example, sensorz: ['temperature'] })
      expect(msgs.join('\n'), k.kind).toMatch(/Unrecognized key: "sensorz"/)
    }
  })

  it('requires a duration for every window kind; cohort-shift, spike and contextual may go without', () => {
    for (const k of telemetryValueKinds) {
      const { duration: _d, ...rest } = k.example
      const r = k.entrySchema.safeParse(rest)
      expect(r.success, k.kind).toBe(k.kind === 'cohort-shift' || k.kind === 'telemetry.spike' || k.kind === 'telemetry.contextual')
      if (!r.success) expect(r.error.issues.map((i) => i.path.join('.'))).toContain('duration')
    }
  })

  it('accepts ramp only on drift, offset, gain, noise, seasonal and cohort-shift', () => {
    const ramped = telemetryValueKinds.filter((k) => k.entrySchema.safeParse({ ...k.example, ramp: '1s' }).success).map((k) => k.kind)
    expect(ramped).toEqual(['telemetry.drift', 'telemetry.offset', 'telemetry.gain', 'telemetry.noise', 'telemetry.seasonal', 'cohort-shift'])
  })

  it('rejects a sensors list that is empty', () => {
    expect(rejects({ kind: 'telemetry.offset', ...at, delta: 1, sensors: [] }).join()).toMatch(/^sensors:/)
  })
})

describe('telemetry.drift', () => {
  it('adds ratePerHour × hours since the start, on the listed sensor only, inside the window only', async () => {
    const res = await runDevices([{ id: 'd', kind: 'telemetry.drift', ...at, target: { ids: ['dev-0'] }, sensors: ['temperature'], ratePerHour: 3600 }])
    const inside = checkWindow(res, 'd', 'dev-0', ['temperature'], (r, s, start) => finish(s, r.clean[s]! + 3600 * ((r.ts - start) / 3_600_000)), W)
    // 3600 per hour = 1 per second: the error grows with time in the window.
    const last = inside.at(-1)!
    expect(last.values.temperature! - last.clean.temperature!).toBeGreaterThan(2.5)
    expect(res.log.filter((r) => r.fault_id === 'd').map((r) => r.device_id)).toEqual(['dev-0'])
    checkUntouched(res, ['dev-1', 'dev-2'])
  })

  it('with a ramp, scales the drift by the intensity', async () => {
    const res = await runDevices([{ id: 'd', kind: 'telemetry.drift', ...at, ramp: '2s', target: { ids: ['dev-1'] }, ratePerHour: -7200 }])
    checkWindow(res, 'd', 'dev-1', SENSORS, (r, s, start) => finish(s, r.clean[s]! + -7200 * ((r.ts - start) / 3_600_000) * intensity(r.ts, start, 2000)), W)
  })

  it('rejects a missing or zero rate and a missing duration', () => {
    expect(rejects({ kind: 'telemetry.drift', ...at }).join()).toMatch(/ratePerHour/)
    expect(rejects({ kind: 'telemetry.drift', ...at, ratePerHour: 0 }).join()).toMatch(/ratePerHour: must not be 0/)
    expect(rejects({ kind: 'telemetry.drift', at: '1s', ratePerHour: 1 }).join()).toMatch(/^duration/)
  })
})

describe('telemetry.offset', () => {
  it('shifts every reading of the listed sensor by delta', async () => {
    const res = await runDevices([{ id: 'o', kind: 'telemetry.offset', ...at, target: { ids: ['dev-2'] }, sensors: ['humidity'], delta: -7.5 }])
    checkWindow(res, 'o', 'dev-2', ['humidity'], (r, s) => finish(s, r.clean[s]! - 7.5), W)
    checkUntouched(res, ['dev-0', 'dev-1'])
  })

  it('with a ramp, the shift grows linearly from 0 to delta, then holds', async () => {
    const res = await runDevices([{ id: 'o', kind: 'telemetry.offset', ...at, ramp: '2s', target: { ids: ['dev-0'] }, sensors: ['temperature'], delta: 10 }])
    const inside = checkWindow(res, 'o', 'dev-0', ['temperature'], (r, s, start) => finish(s, r.clean[s]! + 10 * intensity(r.ts, start, 2000)), W)
    const start = EPOCH + W.atMs
    const ramping = inside.filter((r) => r.ts < start + 2000)
    const full = inside.filter((r) => r.ts >= start + 2000)
    expect(ramping.length).toBeGreaterThan(5)
    expect(full.length).toBeGreaterThan(2)
    let prev = -Infinity
    for (const r of ramping) {
      const shift = r.values.temperature! - r.clean.temperature!
      expect(Math.abs(shift - (10 * (r.ts - start)) / 2000)).toBeLessThan(0.011) // linear, up to rounding
      expect(shift).toBeGreaterThan(prev)
      prev = shift
    }
    for (const r of full) expect(r.values.temperature! - r.clean.temperature!).toBeCloseTo(10, 1)
  })

  it('rejects a missing or non-numeric delta', () => {
    expect(rejects({ kind: 'telemetry.offset', ...at }).join()).toMatch(/^delta/)
    expect(rejects({ kind: 'telemetry.offset', ...at, delta: 'lots' }).join()).toMatch(/delta: Invalid input: expected number/)
  })
})

describe('telemetry.gain', () => {
  it('multiplies readings by factor (with a ramp: by 1 + (factor − 1) × intensity)', async () => {
    const res = await runDevices([
      { id: 'g', kind: 'telemetry.gain', ...at, target: { ids: ['dev-0'] }, sensors: ['temperature'], factor: 1.5 },
      { id: 'gr', kind: 'telemetry.gain', ...at, ramp: '1s', target: { ids: ['dev-1'] }, sensors: ['temperature'], factor: 0.5 },
    ])
    checkWindow(res, 'g', 'dev-0', ['temperature'], (r, s) => finish(s, r.clean[s]! * 1.5), W)
    checkWindow(res, 'gr', 'dev-1', ['temperature'], (r, s, start) => finish(s, r.clean[s]! * (1 + (0.5 - 1) * intensity(r.ts, start, 1000))), W)
    checkUntouched(res, ['dev-2'])
  })

  it('rejects a missing factor', () => {
    expect(rejects({ kind: 'telemetry.gain', ...at }).join()).toMatch(/^factor/)
  })
})

describe('telemetry.noise', () => {
  it('adds sd × N(0,1) from the fault’s own seeded stream, on every sensor by default', async () => {
    const res = await runDevices([{ id: 'n', kind: 'telemetry.noise', ...at, ramp: '1s', target: { ids: ['dev-1'] }, sd: 3 }])
    // The kind draws one normal per affected reading, in sample order then sensor order.
    const rng = deriveStream(SEED, 'fault:n:dev-1', 'noise')
    const inside = checkWindow(res, 'n', 'dev-1', SENSORS, (r, s, start) => finish(s, r.clean[s]! + 3 * rng.normal() * intensity(r.ts, start, 1000)), W)
    expect(inside.filter((r) => r.values.temperature !== r.clean.temperature).length).toBeGreaterThan(inside.length / 2)
    checkUntouched(res, ['dev-0', 'dev-2'])
  })

  it('is reproducible: the same seed gives the same noisy values', async () => {
    const fault = { id: 'n', kind: 'telemetry.noise', ...at, target: { ids: ['dev-0'] }, sd: 1 }
    const a = await runDevices([fault])
    const b = await runDevices([fault])
    expect(b.rows).toEqual(a.rows)
  })

  it('rejects sd ≤ 0', () => {
    expect(rejects({ kind: 'telemetry.noise', ...at, sd: 0 }).join()).toMatch(/^sd: Too small/)
    expect(rejects({ kind: 'telemetry.noise', ...at, sd: -1 }).join()).toMatch(/^sd/)
  })
})

describe('telemetry.dropout', () => {
  it('by default every reading of the listed sensor is null (in the payload too)', async () => {
    const res = await runDevices([{ id: 'x', kind: 'telemetry.dropout', ...at, target: { ids: ['dev-0'] }, sensors: ['humidity'] }])
    const inside = checkWindow(res, 'x', 'dev-0', ['humidity'], () => null, W)
    for (const r of inside) {
      const payload = JSON.parse(res.payloads.get(`dev-0#${r.seq}`)!) as Record<string, unknown>
      expect(payload.humidity).toBeNull()
      expect(payload.temperature).toBe(r.clean.temperature)
    }
  })

  it('with rate, drops each reading with a seeded draw', async () => {
    const res = await runDevices([{ id: 'x', kind: 'telemetry.dropout', ...at, target: { ids: ['dev-2'] }, rate: 0.5 }], { untilMs: 8_000 })
    const rng = deriveStream(SEED, 'fault:x:dev-2', 'dropout')
    const inside = checkWindow(res, 'x', 'dev-2', SENSORS, (r, s) => (rng.next() < 0.5 ? null : r.clean[s]!), W)
    const values = inside.flatMap((r) => SENSORS.map((s) => r.values[s]))
    expect(values.filter((v) => v === null).length).toBeGreaterThan(3)
    expect(values.filter((v) => v !== null).length).toBeGreaterThan(3)
  })

  it('rejects a rate outside (0, 1], and says why probability is not it', () => {
    expect(rejects({ kind: 'telemetry.dropout', ...at, rate: 0 }).join()).toMatch(/^rate: Too small/)
    expect(rejects({ kind: 'telemetry.dropout', ...at, rate: 1.5 }).join()).toMatch(/^rate: Too big/)
    // The envelope's `probability` (chance a device is hit) is a different, still valid, field.
    expect(faultKinds['telemetry.dropout']!.entrySchema.safeParse({ kind: 'telemetry.dropout', ...at, probability: 0.5 }).success).toBe(true)
  })
})

describe('telemetry.clipping', () => {
  it('holds readings within [min, max]', async () => {
    const res = await runDevices([{ id: 'c', kind: 'telemetry.clipping', at: '1s', duration: '8s', target: { ids: ['dev-0'] }, sensors: ['temperature'], min: 18, max: 21 }], { untilMs: 11_000 })
    const inside = checkWindow(res, 'c', 'dev-0', ['temperature'], (r, s) => Math.min(21, Math.max(18, r.clean[s]!)), { atMs: 1_000, durationMs: 8_000 })
    // The sine (20 ± 5, period 10 s) crosses both bounds within the window.
    expect(inside.some((r) => r.clean.temperature! > 21 && r.values.temperature === 21)).toBe(true)
    expect(inside.some((r) => r.clean.temperature! < 18 && r.values.temperature === 18)).toBe(true)
    expect(inside.some((r) => r.clean.temperature! > 18 && r.clean.temperature! < 21 && r.values.temperature === r.clean.temperature)).toBe(true)
  })

  it('takes one bound alone', async () => {
    const res = await runDevices([{ id: 'c', kind: 'telemetry.clipping', ...at, target: { ids: ['dev-1'] }, sensors: ['humidity'], max: 40 }])
    checkWindow(res, 'c', 'dev-1', ['humidity'], (r, s) => Math.min(40, r.clean[s]!), W)
  })

  it('rejects an entry with neither min nor max, or min ≥ max, with a clear message', () => {
    expect(rejects({ kind: 'telemetry.clipping', ...at })).toEqual([': telemetry.clipping needs min, max or both (the bounds readings are clipped to)'])
    expect(rejects({ kind: 'telemetry.clipping', ...at, min: 5, max: 5 })).toEqual(['max: min must be below max'])
  })

  it('reports the missing bounds with file, line and hint when loading a fleet file', () => {
    let err: FleetError | undefined
    try {
      loadFleet('test/fixtures/faults/clipping-no-bounds.fleet.yaml')
    } catch (e) {
      if (isFleetError(e)) err = e
      else throw e
    }
    expect(err).toBeDefined()
    const problems = err!.problems.map((p) => ({ line: p.line, path: p.path, message: p.message, hint: p.hint }))
    expect(problems).toEqual([
      { line: 8, path: 'faults[1]', message: 'telemetry.clipping needs min, max or both (the bounds readings are clipped to)', hint: expect.stringContaining('max: 30') },
      { line: 9, path: 'faults[2].rate', message: 'must be <= 1', hint: undefined },
    ])
  })
})

describe('telemetry.nan', () => {
  it('reports NaN, written as the string "NaN" in the JSON payload', async () => {
    const res = await runDevices([{ id: 'nan', kind: 'telemetry.nan', ...at, target: { ids: ['dev-0'] }, sensors: ['temperature'] }])
    const inside = checkWindow(res, 'nan', 'dev-0', ['temperature'], () => NaN, W)
    for (const r of inside) {
      const text = res.payloads.get(`dev-0#${r.seq}`)!
      expect(text).toContain('"temperature":"NaN"')
      expect(JSON.parse(text)).toMatchObject({ seq: r.seq, temperature: 'NaN', humidity: r.clean.humidity })
    }
    // Outside the window the payload carries the number.
    const outside = res.rows.find((r) => r.deviceId === 'dev-0' && r.ts > EPOCH + 4_000)!
    expect(JSON.parse(res.payloads.get(`dev-0#${outside.seq}`)!).temperature).toBe(outside.clean.temperature)
  })

  it('with as: null, reports null', async () => {
    const res = await runDevices([{ id: 'nul', kind: 'telemetry.nan', as: 'null', ...at, target: { ids: ['dev-1'] }, sensors: ['temperature'] }])
    const inside = checkWindow(res, 'nul', 'dev-1', ['temperature'], () => null, W)
    for (const r of inside) expect(res.payloads.get(`dev-1#${r.seq}`)).toContain('"temperature":null')
  })

  it('takes YAML’s bare null for as: "null"', () => {
    const parse = (as: unknown) => faultKinds['telemetry.nan']!.entrySchema.parse({ kind: 'telemetry.nan', ...at, as }).as
    expect([parse(null), parse('null'), parse('nan'), parse(undefined)]).toEqual(['null', 'null', 'nan', 'nan'])
  })

  it('rejects an unknown as', () => {
    expect(rejects({ kind: 'telemetry.nan', ...at, as: 'nil' }).join()).toMatch(/^as: Invalid option: expected one of "nan"\|"null"/)
  })
})

describe('telemetry.unit-change', () => {
  it('converts °C to °F', async () => {
    const res = await runDevices([{ id: 'u', kind: 'telemetry.unit-change', ...at, target: { ids: ['dev-0'] }, sensors: ['temperature'], conversion: 'celsius-to-fahrenheit' }])
    const inside = checkWindow(res, 'u', 'dev-0', ['temperature'], (r, s) => round(s, r.clean[s]! * 1.8 + 32), W)
    for (const r of inside) expect(r.values.temperature! - r.clean.temperature!).toBeGreaterThan(40)
  })

  it('is not clamped to the old unit’s range, but still rounded to the sensor’s precision', async () => {
    const res = await runDevices([{ id: 'u', kind: 'telemetry.unit-change', ...at, target: { ids: ['dev-1'] }, sensors: ['humidity'], conversion: 'custom', factor: 3.33, offset: 100 }])
    const inside = checkWindow(res, 'u', 'dev-1', ['humidity'], (r, s) => round(s, r.clean[s]! * 3.33 + 100), W)
    for (const r of inside) expect(r.values.humidity).toBeGreaterThan(100) // humidity's range is [0, 100]
  })

  it('a later fault on the same sensor in the same sample is not clamped either', async () => {
    const res = await runDevices([
      { id: 'wh', kind: 'telemetry.unit-change', at: '1s', duration: '3s', target: { ids: ['dev-2'] }, sensors: ['humidity'], conversion: 'kwh-to-wh' },
      { id: 'up', kind: 'telemetry.offset', at: '2s', duration: '1s', target: { ids: ['dev-2'] }, sensors: ['humidity'], delta: 0.55 },
    ])
    const both = res.rows.filter((r) => r.deviceId === 'dev-2' && r.ts > EPOCH + 2_000 && r.ts < EPOCH + 3_000)
    expect(both.length).toBeGreaterThan(3)
    for (const r of both) {
      expect(r.faultIds.humidity).toEqual(['wh', 'up'])
      expect(r.values.humidity).toBe(round('humidity', round('humidity', r.clean.humidity! * 1000) + 0.55))
    }
    const whOnly = res.rows.filter((r) => r.deviceId === 'dev-2' && r.ts > EPOCH + 1_000 && r.ts < EPOCH + 2_000)
    for (const r of whOnly) expect(r.values.humidity).toBe(round('humidity', r.clean.humidity! * 1000))
  })

  it('rejects custom without factor, factor with a fixed conversion, and unknown conversions', () => {
    expect(rejects({ kind: 'telemetry.unit-change', ...at, conversion: 'custom' })).toEqual(['factor: conversion: custom needs factor (reported = clean × factor + offset)'])
    expect(rejects({ kind: 'telemetry.unit-change', ...at, conversion: 'custom', factor: 0 })).toEqual(['factor: factor must not be 0 (every reading would be the offset)'])
    expect(rejects({ kind: 'telemetry.unit-change', ...at, conversion: 'kwh-to-wh', factor: 2, offset: 1 })).toEqual([
      'factor: factor is only used with conversion: custom (kwh-to-wh is fixed)',
      'offset: offset is only used with conversion: custom (kwh-to-wh is fixed)',
    ])
    expect(rejects({ kind: 'telemetry.unit-change', ...at, conversion: 'kelvin' }).join()).toMatch(/^conversion: Invalid option: expected one of "celsius-to-fahrenheit"/)
    expect(rejects({ kind: 'telemetry.unit-change', ...at }).join()).toMatch(/^conversion/)
  })
})

describe('sensor-failure', () => {
  it('dead: null readings; stuck-at: the constant (clamped to the range); erratic: uniform across the range', async () => {
    const res = await runDevices(
      [
        { id: 'dead', kind: 'sensor-failure', ...at, target: { ids: ['dev-0'] }, sensors: ['humidity'], mode: 'dead' },
        { id: 'stuck', kind: 'sensor-failure', ...at, target: { ids: ['dev-1'] }, sensors: ['temperature'], mode: 'stuck-at', value: 42.123 },
        { id: 'rail', kind: 'sensor-failure', ...at, target: { ids: ['dev-2'] }, sensors: ['temperature'], mode: 'stuck-at', value: 4095 },
        { id: 'wild', kind: 'sensor-failure', ...at, target: { ids: ['dev-3'] }, mode: 'erratic' },
      ],
      { devices: 4 },
    )
    checkWindow(res, 'dead', 'dev-0', ['humidity'], () => null, W)
    checkWindow(res, 'stuck', 'dev-1', ['temperature'], () => 42.12, W)
    checkWindow(res, 'rail', 'dev-2', ['temperature'], () => 85, W)
    const rng = deriveStream(SEED, 'fault:wild:dev-3', 'erratic')
    const inside = checkWindow(res, 'wild', 'dev-3', SENSORS, (_r, s) => finish(s, rng.uniform(spec(s).range![0], spec(s).range![1])), W)
    const temps = inside.map((r) => r.values.temperature!)
    expect(Math.max(...temps) - Math.min(...temps)).toBeGreaterThan(40) // far wider than the 20 ± 5 signal
  })

  it('sets the device’s sensors state to faulted while it lasts', async () => {
    const clock = new VirtualClock({ epochMs: EPOCH })
    const fleet = new Fleet(loadFleet(FLEET_FILE), { seed: 5, clock, transport: 'in-process', metricsPort: false })
    await fleet.start()
    clock.runUntil(EPOCH + 3_000)
    expect(fleet.device('old-10')!.states.sensors).toBe('faulted')
    clock.runUntil(EPOCH + 9_000)
    expect(fleet.device('old-10')!.states.sensors).toBe('ok')
    await fleet.stop()
  })

  it('rejects stuck-at without value, value with another mode, and unknown modes', () => {
    expect(rejects({ kind: 'sensor-failure', ...at, mode: 'stuck-at' })).toEqual(['value: mode: stuck-at needs value (the constant the sensor reports)'])
    expect(rejects({ kind: 'sensor-failure', ...at, mode: 'dead', value: 3 })).toEqual(['value: value is only used with mode: stuck-at (mode is dead)'])
    expect(rejects({ kind: 'sensor-failure', ...at, mode: 'broken' }).join()).toMatch(/^mode: Invalid option: expected one of "dead"\|"stuck-at"\|"erratic"/)
    expect(rejects({ kind: 'sensor-failure', at: '1s' }).join()).toMatch(/^duration/)
  })
})

describe('cohort-shift', () => {
  it('with a duration, shifts the cohort by delta × intensity for the window', async () => {
    const res = await runDevices([{ id: 'cs', kind: 'cohort-shift', ...at, ramp: '1s', target: { ids: ['dev-0', 'dev-2'] }, sensors: ['temperature'], delta: 4 }])
    for (const id of ['dev-0', 'dev-2']) checkWindow(res, 'cs', id, ['temperature'], (r, s, start) => finish(s, r.clean[s]! + 4 * intensity(r.ts, start, 1000)), W)
    checkUntouched(res, ['dev-1'])
    expect(res.ended).toEqual(['cs'])
  })

  it('without a duration, lasts until the run stops: the records are closed as truncated at the stop', async () => {
    const res = await runDevices([{ id: 'cs', kind: 'cohort-shift', at: '1s', target: { ids: ['dev-1'] }, delta: -3 }], { untilMs: 5_000 })
    expect(res.ended).toEqual([])
    expect(res.log).toEqual([expect.objectContaining({ fault_id: 'cs', device_id: 'dev-1', start_ms: EPOCH + 1_000, end_ms: res.stoppedAtMs, truncated: true })])
    const rows = res.rows.filter((r) => r.deviceId === 'dev-1' && r.ts > EPOCH + 1_000)
    expect(rows.at(-1)!.ts).toBeGreaterThan(EPOCH + 4_500)
    for (const r of rows) for (const s of SENSORS) expect(r.values[s]).toBe(finish(s, r.clean[s]! - 3))
  })

  it('rejects a missing delta', () => {
    expect(rejects({ kind: 'cohort-shift', at: '1s' }).join()).toMatch(/^delta/)
  })
})

describe('every kind in a fleet file (telemetry-values.fleet.yaml, virtual time)', () => {
  interface TelemetryEvent extends Row {
    tsDevice: number
  }

  async function runFleet() {
    const clock = new VirtualClock({ epochMs: EPOCH })
    const fleet = new Fleet(loadFleet(FLEET_FILE), { seed: 5, clock, transport: 'in-process', metricsPort: false })
    const rows: Row[] = []
    fleet.on('telemetry', (t: TelemetryEvent) => rows.push({ deviceId: t.deviceId, seq: t.seq, ts: t.ts, values: { ...t.values }, clean: { ...t.clean }, faultIds: structuredClone(t.faultIds) }))
    await fleet.start()
    clock.runUntil(EPOCH + 12_000)
    await fleet.stop()
    return { rows, fleet, stoppedAtMs: EPOCH + 12_000 }
  }

  it('loads every kind from YAML, with durations normalised to ms', () => {
    const spec = loadFleet(FLEET_FILE).spec
    // The pattern kinds (contextual, shapelet, seasonal, decorrelation) are loaded from YAML by the
    // dataset fixture (test/fixtures/dataset/all-kinds.fleet.yaml) and tested in tods-families.test.ts.
    const elsewhere = new Set(['telemetry.spike', 'telemetry.stuck', 'telemetry.contextual', 'telemetry.shapelet', 'telemetry.seasonal', 'telemetry.decorrelation'])
    expect(new Set(spec.faults.map((f) => f.kind))).toEqual(new Set(telemetryValueKinds.map((k) => k.kind).filter((k) => !elsewhere.has(k))))
    const drift = spec.faults.find((f) => f.id === 'drift')!
    expect([drift.at, drift.duration, drift.ramp]).toEqual([2_000, 6_000, 1_000])
  })

  it('logs each fault on its devices with exact windows; values differ from clean only inside them', async () => {
    const { rows, fleet, stoppedAtMs } = await runFleet()
    const log = fleet.faultLog
    for (const r of log.filter((l) => l.fault_id !== 'bad-fw')) {
      expect(r, r.fault_id).toMatchObject({ start_ms: EPOCH + 2_000, end_ms: EPOCH + 8_000, truncated: false })
    }
    // One device per window fault, in group "old".
    expect(log.filter((l) => l.fault_id !== 'bad-fw').map((l) => l.device_id).sort()).toEqual(Array.from({ length: 12 }, (_, i) => `old-${String(i + 1).padStart(2, '0')}`))
    // The cohort: half of the fw 1.5.0 devices, open until the stop.
    const cohort = log.filter((l) => l.fault_id === 'bad-fw')
    expect(cohort).toHaveLength(3)
    for (const r of cohort) expect(r).toMatchObject({ kind: 'cohort-shift', start_ms: EPOCH + 3_000, end_ms: stoppedAtMs, truncated: true })
    expect(cohort.every((r) => r.device_id.startsWith('new-'))).toBe(true)

    let changed = 0
    for (const r of rows) {
      for (const s of SENSORS) {
        const ids = r.faultIds[s] ?? []
        const v = r.values[s]
        if (!Object.is(v, r.clean[s])) {
          changed++
          expect(ids.length, `${r.deviceId} ${s} @${r.ts - EPOCH}`).toBe(1)
        }
        for (const id of ids) {
          const rec = log.find((l) => l.fault_id === id && l.device_id === r.deviceId)!
          expect(r.ts).toBeGreaterThanOrEqual(rec.start_ms)
          expect(r.ts).toBeLessThanOrEqual(rec.end_ms)
        }
      }
    }
    expect(changed).toBeGreaterThan(200)
    // Spot checks of what each kind did, through the public telemetry event.
    const inWindow = (id: string) => rows.filter((r) => r.deviceId === id && r.ts > EPOCH + 2_000 && r.ts < EPOCH + 8_000)
    expect(inWindow('old-07').every((r) => Number.isNaN(r.values.temperature))).toBe(true)
    expect(inWindow('old-08').every((r) => r.values.temperature === null)).toBe(true)
    expect(inWindow('old-10').every((r) => r.values.humidity === null && r.values.temperature === r.clean.temperature)).toBe(true)
    expect(inWindow('old-11').every((r) => r.values.temperature === 0)).toBe(true)
    expect(inWindow('old-09').every((r) => r.values.temperature === round('temperature', r.clean.temperature! * 1.8 + 32))).toBe(true)
    for (const { device_id } of cohort) {
      const late = rows.filter((r) => r.deviceId === device_id && r.ts > EPOCH + 5_000)
      expect(late.length).toBeGreaterThan(10)
      for (const r of late) expect(r.values.temperature).toBe(finish('temperature', r.clean.temperature! + 4))
    }
  })
})
