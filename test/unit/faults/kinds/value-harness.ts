import { expect } from 'vitest'
import { VirtualClock } from '../../../../src/core/index.js'
import { VirtualDevice, type DeviceHooks } from '../../../../src/device/index.js'
import { FaultInjector, faultKinds, planFaults, type FaultRecord } from '../../../../src/faults/index.js'
import { checkProfileFile, firmwareModels } from '../../../../src/fleet/index.js'
import type { DeviceProfile } from '../../../../src/spec/index.js'
import { inProcessLinkFactory } from '../../../../src/transport/index.js'

/**
 * Shared by the value-fault tests: real VirtualDevices (the fast-sensor profile, or another) over
 * in-process links on a VirtualClock, with the FaultInjector applying a planned list of faults, and
 * the checks every window fault must pass.
 */
export const EPOCH = Date.UTC(2026, 0, 1)
export const SEED = 21
const PROFILE_FILE = 'test/fixtures/integration/fast-sensor.device.yaml'

const checked = checkProfileFile(PROFILE_FILE)
if (!checked.ok) throw new Error(`${PROFILE_FILE}: ${JSON.stringify(checked.problems)}`)
export const profile = checked.profile
const defaultProfile = profile
export const SENSORS = Object.keys(profile.sensors) // temperature [-40, 85] 2 dp, humidity [0, 100] 1 dp

export interface Row {
  deviceId: string
  seq: number
  ts: number
  values: Record<string, number | null>
  clean: Record<string, number>
  faultIds: Record<string, string[]>
}

export interface RunResult {
  rows: Row[]
  /** Telemetry payloads as published, by `${deviceId}#${seq}`. */
  payloads: Map<string, string>
  log: readonly FaultRecord[]
  /** Faults that ended on every device by themselves or at their planned end (not at stop). */
  ended: string[]
  stoppedAtMs: number
}

const noop = () => {}

/**
 * Real VirtualDevices (the fast-sensor profile) over in-process links on a VirtualClock, with the
 * FaultInjector applying a plan from planFaults. Faults are written as in a fleet file (durations as
 * strings) and parsed by their kind's schema.
 */
export async function runDevices(faults: Record<string, unknown>[], opts: { devices?: number; untilMs?: number; profile?: DeviceProfile } = {}): Promise<RunResult> {
  const profile = opts.profile ?? defaultProfile
  const sensors = Object.keys(profile.sensors)
  const clock = new VirtualClock({ epochMs: EPOCH })
  const rows: Row[] = []
  const payloads = new Map<string, string>()
  const linkFactory = inProcessLinkFactory(clock, (clientId, topic, payload) => {
    if (topic !== `devices/${clientId}/telemetry`) return
    const text = payload.toString()
    payloads.set(`${clientId}#${(JSON.parse(text) as { seq: number }).seq}`, text)
  })
  const hooks: DeviceHooks = {
    stateChanged: noop,
    connectAttempt: noop,
    disconnected: noop,
    published: noop,
    droppedOffline: noop,
    commandReceived: noop,
    sampled: (d, s, seq) => rows.push({ deviceId: d.id, seq, ts: s.ts, values: { ...s.values }, clean: { ...s.clean }, faultIds: structuredClone(s.faultIds) }),
  }
  const devices = new Map<string, VirtualDevice>()
  for (let i = 0; i < (opts.devices ?? 3); i++) {
    const id = `dev-${i}`
    const env = { clock, seed: SEED, runStartMs: EPOCH, brokerUrl: 'in-process', linkFactory, firmware: firmwareModels[profile.firmware.model]!, hooks }
    devices.set(id, new VirtualDevice({ id, group: 'lab', profile, labels: profile.labels }, env))
  }
  const entries = faults.map((f) => faultKinds[f.kind as string]!.entrySchema.parse(f))
  const descriptors = [...devices.keys()].map((id) => ({ id, group: 'lab', profile: profile.name, labels: profile.labels, sensors, hasBattery: profile.battery !== undefined, correlated: sensors.filter((s) => profile.sensors[s]!.signal.kind === 'correlated') }))
  const ended: string[] = []
  const injector = new FaultInjector(clock, EPOCH, devices, { faultStarted: noop, faultEnded: (_k, id) => ended.push(id), faultSkipped: noop }, { seed: SEED })
  injector.schedule(planFaults(entries, descriptors, SEED))
  for (const d of devices.values()) d.start()
  clock.runUntil(EPOCH + (opts.untilMs ?? 6_000))
  const stoppedAtMs = clock.now()
  injector.stop()
  for (const d of devices.values()) await d.stop()
  return { rows, payloads, log: injector.log.records, ended, stoppedAtMs }
}

export const spec = (sensor: string) => profile.sensors[sensor]!
/** What the sampler does to a faulty value: clamp to the sensor's range, round to its precision. */
export function finish(sensor: string, v: number): number {
  const r = spec(sensor).range
  return round(sensor, r ? Math.min(r[1], Math.max(r[0], v)) : v)
}
export function round(sensor: string, v: number): number {
  const k = 10 ** spec(sensor).precision
  return Math.round(v * k) / k
}

export type Expect = (row: Row, sensor: string, startMs: number) => number | null

/**
 * Checks one fault on one device: its log record (device, exact start and end), and every sample of
 * that device — inside the window the listed sensors carry the fault id and the expected value, the
 * others are clean and unlabelled; outside the window everything is clean and unlabelled.
 */
export function checkWindow(res: RunResult, faultId: string, deviceId: string, sensors: readonly string[], expected: Expect, window: { atMs: number; durationMs: number }, allSensors: readonly string[] = SENSORS): Row[] {
  const rec = res.log.find((r) => r.fault_id === faultId && r.device_id === deviceId)
  expect(rec, `${faultId} on ${deviceId}`).toBeDefined()
  expect(rec).toMatchObject({ device_id: deviceId, start_ms: EPOCH + window.atMs, end_ms: EPOCH + window.atMs + window.durationMs, truncated: false, source: 'plan' })
  const rows = res.rows.filter((r) => r.deviceId === deviceId)
  const inside: Row[] = []
  let before = 0
  let after = 0
  for (const r of rows) {
    const strictlyIn = r.ts > rec!.start_ms && r.ts < rec!.end_ms
    const onEdge = r.ts === rec!.start_ms || r.ts === rec!.end_ms
    if (r.ts < rec!.start_ms) before++
    if (r.ts > rec!.end_ms) after++
    if (strictlyIn) inside.push(r)
    for (const s of allSensors) {
      const affected = sensors.includes(s) && (strictlyIn || (onEdge && r.faultIds[s] !== undefined))
      const where = `${deviceId} ${s} @${r.ts - EPOCH}ms`
      if (affected) {
        expect(r.faultIds[s], where).toEqual([faultId])
        expect(r.values[s], where).toBe(expected(r, s, rec!.start_ms))
      } else {
        expect(r.faultIds[s], where).toBeUndefined()
        expect(r.values[s], where).toBe(r.clean[s])
      }
    }
  }
  expect(inside.length).toBeGreaterThanOrEqual(Math.floor(window.durationMs / 250))
  expect(before).toBeGreaterThan(0)
  expect(after).toBeGreaterThan(0)
  return inside
}

/** Devices a fault did not target report clean values with no fault ids. */
export function checkUntouched(res: RunResult, deviceIds: readonly string[]): void {
  const rows = res.rows.filter((r) => deviceIds.includes(r.deviceId))
  expect(rows.length).toBeGreaterThan(0)
  for (const r of rows) {
    expect(r.faultIds).toEqual({})
    expect(r.values).toEqual(r.clean)
  }
}

/** The messages of a failed parse of `entry` with its kind's schema. */
export function rejects(entry: Record<string, unknown>): string[] {
  const r = faultKinds[entry.kind as string]!.entrySchema.safeParse(entry)
  expect(r.success, JSON.stringify(entry)).toBe(false)
  return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`)
}

