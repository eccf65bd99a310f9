/**
 * The contract every fault kind in the registry must pass (STYLE.md: one suite, every fault kind):
 * its entry schema is strict and validates the envelope, its example is a valid entry, and applying it
 * to a real device (virtual time, in-process link) and then undoing it — at its end, when it ends by
 * itself, or by stopping the injector — leaves the device behaving exactly as a device that never had
 * the fault.
 */
import { describe, expect, it } from 'vitest'
import { otaFirmware } from '../../../firmware-models/ota.machine.js'
import type { FirmwareMachine } from '../../../src/device/kit.js'
import type { BrokerControl } from '../../../src/faults/broker-control.js'
import type { FaultEntry, FaultKind } from '../../../src/faults/fault-kind.js'
import { FaultInjector } from '../../../src/faults/injector.js'
import { planFaults } from '../../../src/faults/plan.js'
import { faultKinds } from '../../../src/faults/registry.js'
import { EPOCH, createRig, makeProfile, type Rig } from '../device/device-harness.js'

const SEED = 5
const AT_MS = 20_000
/** Every fault is over by then: its window, or by itself (flap and keepalive-stall take 45 s). */
const OVER_BY_MS = AT_MS + 60_000
/** Reconnects, reboots and backoffs have settled by then. */
const SETTLED_MS = OVER_BY_MS + 30_000
const OBSERVE_UNTIL_MS = SETTLED_MS + 20_000

/** A device every example can target: both sensors (one correlated), a battery, the labels the examples select on. */
const LABELS = { region: 'eu-west', site: 'berlin', fw: '2.3.1' }
const profile = makeProfile({
  sensors: {
    temperature: { signal: { kind: 'sine', mean: 24, amplitude: 5, period: '10m' }, noise: 0.2, range: [-40, 85] },
    // Co-located with the temperature sensor: it follows it (for telemetry.decorrelation).
    humidity: { signal: { kind: 'correlated', source: 'temperature', scale: -1.5, offset: 85, noise: 0.3, start: undefined, step: undefined }, range: [0, 100], precision: 1 },
  },
  battery: { capacityMah: 5_000, idleMa: 1, perMessageMah: 0.001 },
})

/** A stand-in for the embedded broker's controls: remembers what faults did to it. */
function fakeBroker() {
  const state = { up: true, outage: false, rejected: new Set<string>(), calls: 0 }
  const control: BrokerControl = {
    goDown: async () => void ((state.up = false), state.calls++),
    comeUp: async () => void ((state.up = true), state.calls++),
    setOutage: (on) => void ((state.outage = on), state.calls++),
    rejectClient: (id, on) => void (on ? state.rejected.add(id) : state.rejected.delete(id), state.calls++),
    disconnectClient: () => void state.calls++,
  }
  return { state, control }
}

/**
 * Kinds whose effect shows only when the device is asked to do something: the firmware the device
 * runs, and what to do to it a second into the window. The baseline run gets the same, without the fault.
 */
const EXERCISE: Record<string, { firmware: FirmwareMachine; run: (rig: Rig) => void }> = {
  'ota-failure': {
    firmware: otaFirmware,
    run: (rig) => rig.listeners.get('dev-1')!.onMessage('devices/dev-1/commands', Buffer.from('{"id":"u1","name":"ota","params":{"version":"9.0.0","sizeBytes":100000}}')),
  },
}

/** The example with its start moved to AT_MS, any window shortened to 20 s, and every device targeted. */
function entryFor(kind: FaultKind): FaultEntry {
  const raw: Record<string, unknown> = { ...kind.example, at: AT_MS, target: {} }
  if (raw.duration !== undefined) raw.duration = '20s'
  return kind.entrySchema.parse(raw)
}

interface Run {
  rig: Rig
  injector: FaultInjector
  broker: ReturnType<typeof fakeBroker>
  truncated: boolean
}

async function run(kind: FaultKind | undefined, exercise?: (typeof EXERCISE)[string]): Promise<Run> {
  const rig = createRig({ seed: SEED, firmware: exercise?.firmware })
  const device = rig.add('dev-1', profile, { labels: LABELS })
  const broker = fakeBroker()
  const injector = new FaultInjector(rig.clock, EPOCH, rig.devices, { faultStarted() {}, faultEnded() {}, faultSkipped() {} }, { seed: SEED, broker: broker.control })
  if (kind) {
    const descriptor = { id: device.id, group: 'g', profile: profile.name, labels: LABELS, sensors: Object.keys(profile.sensors), hasBattery: true, correlated: ['humidity'] }
    const plan = planFaults([entryFor(kind)], [descriptor], SEED)
    expect(plan[0]!.deviceIds, 'the example can target the test device').toEqual(['dev-1'])
    injector.schedule(plan)
  }
  device.start()
  if (exercise) rig.clock.setTimeout(() => exercise.run(rig), AT_MS + 1_000)
  rig.runTo(OVER_BY_MS)
  // Faults meant to last until the run ends are undone by stopping the injector.
  const truncated = injector.log.activeByKind().size > 0
  if (truncated) injector.stop()
  await new Promise((resolve) => setImmediate(resolve)) // async undos (broker-restart comes back up)
  rig.runTo(OBSERVE_UNTIL_MS)
  return { rig, injector, broker, truncated }
}

/** Everything observable about a run in [from, to): what left the device, and its state changes. */
function trace(r: Run, fromMs: number, toMs: number): string[] {
  const inWindow = (at: number) => at >= EPOCH + fromMs && at < EPOCH + toMs
  return [
    ...r.rig.sink.filter((s) => inWindow(s.at)).map((s) => `${s.at} ${s.topic} ${s.payload}`),
    ...r.rig.hooks.states.filter((s) => inWindow(s.at)).map((s) => `${s.at} ${s.region} ${s.to}`),
  ]
}

let clean: Run | undefined
const cleanRun = async (kind: string) => (EXERCISE[kind] ? run(undefined, EXERCISE[kind]) : (clean ??= await run(undefined)))

const KINDS = Object.entries(faultKinds)

describe('fault kind contract', () => {
  it('the registry is keyed by kind name and is not empty', () => {
    expect(KINDS.length).toBeGreaterThanOrEqual(3)
    for (const [name, kind] of KINDS) {
      expect(kind.kind).toBe(name)
      expect(kind.example.kind).toBe(name)
      expect(kind.summary.length).toBeGreaterThan(10)
    }
  })

  describe.each(KINDS)('%s', (name, kind) => {
    it('accepts its example as a minimal valid entry', () => {
      const r = kind.entrySchema.safeParse(kind.example)
      expect(r.success, JSON.stringify(r.error?.issues)).toBe(true)
      expect(r.data).toMatchObject({ kind: name })
    })

    it('rejects unknown keys', () => {
      const r = kind.entrySchema.safeParse({ ...kind.example, notAParameter: 1 })
      expect(r.success).toBe(false)
      expect(r.error!.issues).toEqual([expect.objectContaining({ code: 'unrecognized_keys', keys: ['notAParameter'] })])
    })

    it.each([['soon'], [-5], ['5 parsecs'], [null]])('rejects a bad `at` (%j)', (at) => {
      const r = kind.entrySchema.safeParse({ ...kind.example, at })
      expect(r.success).toBe(false)
      expect(r.error!.issues.map((i) => i.path.join('.'))).toContain('at')
    })

    it('plans the same occurrences on the same devices for the same seed', () => {
      const devices = Array.from({ length: 40 }, (_, i) => ({
        id: `d-${i}`,
        group: i % 2 ? 'a' : 'b',
        profile: profile.name,
        labels: LABELS,
        sensors: Object.keys(profile.sensors),
        hasBattery: true,
        correlated: ['humidity'],
      }))
      const entry = kind.entrySchema.parse({ ...kind.example, target: { fraction: 0.25 } })
      const a = planFaults([entry], devices, 77, 3_600_000)
      expect(planFaults([entry], devices, 77, 3_600_000)).toEqual(a)
      expect(a.length).toBeGreaterThan(0)
      expect(a[0]!.deviceIds).toHaveLength(10)
      expect(planFaults([entry], devices, 78, 3_600_000).map((p) => p.deviceIds)).not.toEqual(a.map((p) => p.deviceIds))
    })

    it('rejects another kind', () => {
      expect(kind.entrySchema.safeParse({ ...kind.example, kind: `${name}-not` }).success).toBe(false)
    })

    it('has an effect, and after apply-then-undo the device behaves as one that never had it', async () => {
      const base = await cleanRun(name)
      const r = await run(kind, EXERCISE[name])
      const dev = r.rig.devices.get('dev-1')!

      // It did something: to what the device sent or its states, to its samples' labels, or to the broker.
      const labelled = r.rig.hooks.samples.some((s) => Object.keys(s.sample.faultIds).length > 0 || s.messageFaultIds.length > 0)
      const changed = JSON.stringify(trace(r, AT_MS, SETTLED_MS)) !== JSON.stringify(trace(base, AT_MS, SETTLED_MS))
      expect(labelled || changed || r.broker.state.calls > 0, 'no observable effect').toBe(true)

      // It was logged, and it is over.
      const own = r.injector.log.records.filter((x) => x.root_cause_id === null)
      expect(own.length).toBe(1)
      const record = own[0]!
      expect(record).toMatchObject({ kind: name, device_id: 'dev-1', start_ms: EPOCH + AT_MS, truncated: r.truncated })
      expect(record.end_ms).toBeLessThanOrEqual(EPOCH + OVER_BY_MS)
      expect(r.injector.log.activeByKind().size).toBe(0)

      // What it caused was logged as its effects (their own ids, it as their root cause), and is over too.
      const types = new Set((kind.effects ?? []).flatMap((e) => e.types))
      for (const effect of r.injector.log.records.filter((x) => x.root_cause_id !== null)) {
        expect(effect.root_cause_id).toBe(record.fault_id)
        expect(types.has(effect.kind), `${effect.kind} is one of ${name}'s effects`).toBe(true)
        expect(effect.fault_id).toBe(`${record.fault_id}/${effect.kind}`)
        expect(effect.device_id).toBe('dev-1')
        expect(effect.start_ms).toBeGreaterThanOrEqual(record.start_ms)
        expect(effect.end_ms).toBeLessThanOrEqual(EPOCH + SETTLED_MS)
      }
      expect(r.injector.log.openEffects).toBe(0)

      // The broker is as it was.
      expect({ ...r.broker.state, calls: 0 }).toEqual({ up: true, outage: false, rejected: new Set(), calls: 0 })

      // The device is up and healthy…
      expect(dev.currentStates).toEqual({ firmware: 'running', connectivity: 'online', battery: 'ok', sensors: 'ok' })
      const since = EPOCH + SETTLED_MS
      expect(r.rig.hooks.disconnects.filter((x) => x.at >= since)).toEqual([])
      expect(r.rig.hooks.connects.filter((x) => x.at >= since)).toEqual([])

      // …its samples are clean (and the same as in the run without the fault)…
      const observed = r.rig.hooks.samples.filter((s) => s.at >= since)
      expect(observed.length).toBeGreaterThanOrEqual(19)
      const cleanByT = new Map(base.rig.hooks.samples.map((s) => [s.sample.tRelMs, s.sample.values]))
      for (const s of observed) {
        expect(s.sample.values).toEqual(s.sample.clean)
        expect(s.sample.faultIds).toEqual({})
        expect(s.messageFaultIds).toEqual([])
        expect(s.sample.values).toEqual(cleanByT.get(s.sample.tRelMs))
      }

      // …and each is published once, when taken, as the JSON codec writes it.
      const published = r.rig.telemetry('dev-1').filter((t) => t.at >= since)
      expect(published.map((t) => t.json.seq)).toEqual(observed.map((s) => s.seq))
      published.forEach((t, i) => {
        const s = observed[i]!
        expect(t.at).toBe(s.at)
        expect(t.json).toEqual({ ts: s.sample.ts, seq: s.seq, ...s.sample.values, battery: t.json.battery })
        expect(t.payload.startsWith(`{"ts":${s.sample.ts},"seq":${s.seq},"temperature":`)).toBe(true)
      })

      await r.rig.stopAll()
    })
  })
})
