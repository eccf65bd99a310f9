import { afterEach, describe, expect, it } from 'vitest'
import type { BrokerControl } from '../../../src/faults/broker-control.js'
import type { FaultEntry } from '../../../src/faults/fault-kind.js'
import { FaultInjector, type InjectorHooks } from '../../../src/faults/injector.js'
import { planFaults } from '../../../src/faults/plan.js'
import { faultKinds } from '../../../src/faults/registry.js'
import type { DeviceDescriptor } from '../../../src/faults/target.js'
import { EPOCH, createRig, type Rig } from '../device/device-harness.js'

const SEED = 42
const entry = (raw: Record<string, unknown>): FaultEntry => faultKinds[raw.kind as string]!.entrySchema.parse(raw)

class RecordingInjectorHooks implements InjectorHooks {
  readonly events: string[] = []
  constructor(private readonly rig: Rig) {}
  private at() {
    return this.rig.clock.now() - EPOCH
  }
  faultStarted(kind: string, faultId: string, devices: number) {
    this.events.push(`${this.at()} started ${kind} ${faultId} ×${devices}`)
  }
  faultEnded(kind: string, faultId: string) {
    this.events.push(`${this.at()} ended ${kind} ${faultId}`)
  }
  faultSkipped(kind: string, faultId: string, reason: string) {
    this.events.push(`${this.at()} skipped ${kind} ${faultId}: ${reason}`)
  }
}

let rig: Rig
afterEach(async () => {
  await rig.stopAll()
})

/** Starts `n` devices d0…d(n-1) and an injector over `local` of them (default: all) with the given faults planned. */
function setup(faults: Record<string, unknown>[], opts: { n?: number; local?: string[]; broker?: BrokerControl } = {}) {
  rig = createRig({ seed: SEED })
  const descriptors: DeviceDescriptor[] = []
  for (let i = 0; i < (opts.n ?? 2); i++) {
    const d = rig.add(`d${i}`)
    descriptors.push({ id: d.id, group: 'g', profile: 'test-sensor', labels: {}, sensors: ['temperature', 'humidity'], hasBattery: false })
  }
  const local = new Map([...rig.devices].filter(([id]) => !opts.local || opts.local.includes(id)))
  for (const d of local.values()) d.start()
  const hooks = new RecordingInjectorHooks(rig)
  const injector = new FaultInjector(rig.clock, EPOCH, local, hooks, { seed: SEED, broker: opts.broker })
  const plan = planFaults(faults.map(entry), descriptors, SEED)
  injector.schedule(plan)
  return { injector, hooks, plan, local }
}

describe('FaultInjector', () => {
  it('applies a disconnect at its start and undoes it at its end, with exact times in the log', () => {
    const { injector, hooks } = setup([{ kind: 'disconnect', at: '10s', duration: '20s' }])
    rig.runTo(9_999)
    expect(rig.hooks.disconnects).toEqual([])
    rig.runTo(10_000)
    expect(rig.hooks.disconnects.map((x) => [x.at - EPOCH, x.device, x.reason])).toEqual([
      [10_000, 'd0', 'network-down'],
      [10_000, 'd1', 'network-down'],
    ])
    expect(injector.log.activeByKind()).toEqual(new Map([['disconnect', 2]]))
    rig.runTo(29_999)
    expect(injector.log.records).toEqual([])
    expect([...rig.devices.values()].map((d) => d.currentStates.connectivity)).not.toContain('online')
    rig.runTo(30_000)
    expect(injector.log.records).toEqual(
      ['d0', 'd1'].map((device_id) => ({
        fault_id: 'disconnect-at-10s',
        kind: 'disconnect',
        device_id,
        start_ms: EPOCH + 10_000,
        end_ms: EPOCH + 30_000,
        start: '2026-01-01T00:00:10.000Z',
        end: '2026-01-01T00:00:30.000Z',
        params: { duration: 20_000, mode: 'unclean' },
        root_cause_id: null,
        truncated: false,
        source: 'plan',
      })),
    )
    expect(hooks.events).toEqual(['10000 started disconnect disconnect-at-10s ×2', '30000 ended disconnect disconnect-at-10s'])
    // Back online at the next backoff (≤ 4 s with this profile).
    rig.runTo(34_000)
    for (const d of rig.devices.values()) expect(d.currentStates.connectivity).toBe('online')
    const failedDuring = rig.hooks.connects.filter((c) => c.outcome === 'unreachable')
    expect(failedDuring.every((c) => c.at > EPOCH + 10_000 && c.at < EPOCH + 30_000)).toBe(true)
    expect(failedDuring.length).toBeGreaterThan(4)
  })

  it('a telemetry.spike with samples: 2 ends by itself on each device after its second spiked sample', () => {
    const { injector, hooks } = setup([{ kind: 'telemetry.spike', at: '10s', samples: 2, sensors: ['humidity'], delta: 5 }])
    rig.runTo(30_000)
    for (const id of ['d0', 'd1']) {
      const spiked = rig.hooks.samples.filter((s) => s.device === id && s.sample.faultIds.humidity?.includes('telemetry.spike-at-10s'))
      expect(spiked).toHaveLength(2)
      for (const s of spiked) {
        expect(s.sample.values.humidity).toBeCloseTo(s.sample.clean.humidity! + 5, 9)
        expect(s.sample.values.temperature).toBe(s.sample.clean.temperature)
        expect(s.at).toBeGreaterThanOrEqual(EPOCH + 10_000)
      }
      const record = injector.log.records.find((r) => r.device_id === id)!
      expect(record.start_ms).toBe(EPOCH + 10_000)
      expect(record.end_ms).toBe(spiked[1]!.at)
      expect(record.truncated).toBe(false)
      // Clean again afterwards, and the device's sensors are ok.
      const after = rig.hooks.samples.filter((s) => s.device === id && s.at > spiked[1]!.at)
      expect(after.length).toBeGreaterThan(10)
      for (const s of after) expect(s.sample.values).toEqual(s.sample.clean)
      expect(rig.devices.get(id)!.currentStates.sensors).toBe('ok')
    }
    expect(hooks.events.filter((e) => e.includes('ended'))).toHaveLength(1)
    const endedAt = Number(hooks.events.find((e) => e.includes('ended'))!.split(' ')[0])
    expect(endedAt).toBe(Math.max(...injector.log.records.map((r) => r.end_ms)) - EPOCH)
  })

  it('stop() undoes what is active, closes its records as truncated, and cancels what was still planned', () => {
    const { injector, hooks } = setup([
      { kind: 'disconnect', at: '5s', duration: '1m' },
      { kind: 'telemetry.stuck', at: '30s', duration: '10s' },
    ])
    rig.runTo(12_000)
    injector.stop()
    // The faults, and the link dropouts they caused (still open: the devices were offline).
    expect(injector.log.records.map((r) => [r.fault_id, r.device_id, r.start_ms - EPOCH, r.end_ms - EPOCH, r.truncated])).toEqual([
      ['disconnect-at-5s', 'd0', 5_000, 12_000, true],
      ['disconnect-at-5s/link-dropout', 'd0', 5_000, 12_000, true],
      ['disconnect-at-5s', 'd1', 5_000, 12_000, true],
      ['disconnect-at-5s/link-dropout', 'd1', 5_000, 12_000, true],
    ])
    rig.runTo(120_000)
    expect(injector.log.records).toHaveLength(4)
    expect(hooks.events).toEqual(['5000 started disconnect disconnect-at-5s ×2'])
    // The network came back when the fault was undone.
    for (const d of rig.devices.values()) expect(d.currentStates.connectivity).toBe('online')
    expect(rig.hooks.samples.every((s) => Object.keys(s.sample.faultIds).length === 0)).toBe(true)
  })

  it('applies only to its own devices (other shards keep theirs)', () => {
    const { injector, hooks } = setup([{ kind: 'disconnect', at: '5s', duration: '5s' }], { n: 3, local: ['d1'] })
    rig.runTo(20_000)
    expect(injector.log.records.map((r) => `${r.fault_id} ${r.device_id}`)).toEqual(['disconnect-at-5s d1', 'disconnect-at-5s/link-dropout d1'])
    expect(hooks.events[0]).toBe('5000 started disconnect disconnect-at-5s ×1')
  })

  it('skips a fault that needs the embedded broker when there is none', () => {
    const { injector, hooks } = setup([{ kind: 'broker-outage', at: '5s', duration: '5s' }])
    rig.runTo(20_000)
    expect(hooks.events).toEqual(['5000 skipped broker-outage broker-outage-at-5s: needs the embedded broker (the fleet uses an external one)'])
    expect(injector.log.records).toEqual([])
  })

  it("runs a broker-wide fault's begin once per occurrence and its undo at the end", () => {
    const calls: string[] = []
    const broker: BrokerControl = {
      goDown: async () => void calls.push(`${rig.clock.now() - EPOCH} down`),
      comeUp: async () => void calls.push(`${rig.clock.now() - EPOCH} up`),
      setOutage: (on) => void calls.push(`${rig.clock.now() - EPOCH} outage ${on}`),
      rejectClient: (id, on) => void calls.push(`${rig.clock.now() - EPOCH} reject ${id} ${on}`),
      disconnectClient: (id) => void calls.push(`${rig.clock.now() - EPOCH} disconnect ${id}`),
    }
    const { injector } = setup([{ kind: 'broker-outage', at: '5s', duration: '5s' }], { broker })
    rig.runTo(20_000)
    expect(calls).toEqual(['5000 outage true', '10000 outage false'])
    expect(injector.log.records.map((r) => [r.device_id, r.start_ms - EPOCH, r.end_ms - EPOCH])).toEqual([
      ['d0', 5_000, 10_000],
      ['d1', 5_000, 10_000],
    ])
  })
})
