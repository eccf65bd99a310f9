/**
 * Propagated effects with known answers: each derived record is checked against what the device
 * itself reported (its state changes, its samples) and against numbers worked out by hand.
 */
import { afterEach, describe, expect, it } from 'vitest'
import type { FaultEntry } from '../../../src/faults/fault-kind.js'
import { FaultInjector } from '../../../src/faults/injector.js'
import { planFaults } from '../../../src/faults/plan.js'
import { faultKinds } from '../../../src/faults/registry.js'
import type { DeviceProfile } from '../../../src/spec/device-profile.schema.js'
import { EPOCH, createRig, makeProfile, type Rig } from '../device/device-harness.js'

const SEED = 9
const entry = (raw: Record<string, unknown>): FaultEntry => faultKinds[raw.kind as string]!.entrySchema.parse(raw)

let rig: Rig
afterEach(async () => {
  await rig.stopAll()
})

function setup(faults: Record<string, unknown>[], profile: DeviceProfile = makeProfile(), labels: Record<string, string> = {}) {
  rig = createRig({ seed: SEED })
  const device = rig.add('d0', profile, { labels })
  device.start()
  const injector = new FaultInjector(rig.clock, EPOCH, rig.devices, { faultStarted() {}, faultEnded() {}, faultSkipped() {} }, { seed: SEED })
  const descriptors = [{ id: 'd0', group: 'g', profile: profile.name, labels, sensors: Object.keys(profile.sensors), hasBattery: profile.battery !== undefined }]
  injector.schedule(planFaults(faults.map(entry), descriptors, SEED, 10_000_000))
  return { injector, device }
}

const rel = (ms: number) => ms - EPOCH
const records = (injector: FaultInjector) => injector.log.records.map((r) => ({ id: r.fault_id, kind: r.kind, cause: r.root_cause_id, start: rel(r.start_ms), end: rel(r.end_ms), truncated: r.truncated }))

describe('propagated effects', () => {
  it('regional-outage → link-dropout: from the link drop until the device is online again, past the outage', () => {
    const { injector } = setup([{ id: 'south-outage', kind: 'regional-outage', at: '10s', duration: '20s', value: 'south' }], makeProfile(), { region: 'south' })
    rig.runTo(60_000)
    const backOnline = rig.hooks.entered('d0', 'connectivity', 'online').map(rel).find((t) => t > 30_000)!
    expect(backOnline).toBeGreaterThan(30_000) // the backoff runs past the outage's end
    expect(records(injector)).toEqual([
      { id: 'south-outage', kind: 'regional-outage', cause: null, start: 10_000, end: 30_000, truncated: false },
      { id: 'south-outage/link-dropout', kind: 'link-dropout', cause: 'south-outage', start: 10_000, end: backOnline, truncated: false },
    ])
    // Every sample between the drop and the reconnect was taken offline; none outside it.
    for (const s of rig.hooks.samples) {
      const t = rel(s.at)
      if (t > 10_000 && t < backOnline) expect(rig.hooks.states.filter((x) => x.region === 'connectivity' && x.at <= s.at).at(-1)!.to).not.toBe('online')
    }
  })

  it('a device that never leaves online under a fault without a network effect gets no dropout', () => {
    const { injector } = setup([{ kind: 'latency', at: '10s', duration: '20s', delay: '50ms' }])
    rig.runTo(60_000)
    expect(records(injector).map((r) => r.kind)).toEqual(['latency'])
  })

  it('battery-drain → battery-sag at the low crossing, then battery-dead at 0 (worked out: 30 mAh at 36 mA)', () => {
    // 100 mAh at 30 %: low (20 %) after 10 mAh = 1,000 s of 36 mA, dead after 30 mAh = 3,000 s; no other drain.
    const profile = makeProfile({ battery: { capacityMah: 100, idleMa: 0, perMessageMah: 0, initialPercent: 30, lowPercent: 20, criticalPercent: 5 } })
    const { injector } = setup([{ id: 'drain', kind: 'battery-drain', at: '10s', extraMa: 36 }], profile)
    rig.runTo(4_000_000)
    const low = rel(rig.hooks.entered('d0', 'battery', 'low')[0]!)
    const dead = rel(rig.hooks.entered('d0', 'battery', 'dead')[0]!)
    expect(low).toBeGreaterThanOrEqual(1_009_000) // the battery is charged once per 1 s sample tick
    expect(low).toBeLessThanOrEqual(1_011_000)
    expect(dead).toBeGreaterThanOrEqual(3_009_000)
    expect(dead).toBeLessThanOrEqual(3_011_000)
    expect(rig.hooks.entered('d0', 'firmware', 'off').map(rel)).toEqual([dead])
    injector.stop()
    expect(records(injector)).toEqual([
      { id: 'drain/battery-sag', kind: 'battery-sag', cause: 'drain', start: low, end: dead, truncated: false },
      { id: 'drain', kind: 'battery-drain', cause: null, start: 10_000, end: 4_000_000, truncated: true },
      { id: 'drain/battery-dead', kind: 'battery-dead', cause: 'drain', start: dead, end: 4_000_000, truncated: true },
    ])
  })

  it('firmware-crash with counters: reset → seq restarts at 1 after the reboot; the first sample carries counter-reset', () => {
    const { injector } = setup([{ id: 'crash', kind: 'firmware-crash', at: '10s', counters: 'reset' }])
    rig.runTo(60_000)
    const boot = rel(rig.hooks.entered('d0', 'firmware', 'booting')[1]!)
    const running = rel(rig.hooks.entered('d0', 'firmware', 'running')[1]!)
    const online = rig.hooks.entered('d0', 'connectivity', 'online').map(rel).find((t) => t >= running)!
    const after = rig.hooks.samples.filter((s) => rel(s.at) > running)
    const before = rig.hooks.samples.filter((s) => rel(s.at) < 10_000)
    expect(before.at(-1)!.seq).toBe(before.length)
    expect(after.map((s) => s.seq).slice(0, 3)).toEqual([1, 2, 3])
    expect(Object.values(after[0]!.sample.faultIds)).toEqual([['crash/counter-reset'], ['crash/counter-reset']])
    expect(after[0]!.sample.values).toEqual(after[0]!.sample.clean)
    expect(after[1]!.sample.faultIds).toEqual({})
    expect(records(injector)).toEqual([
      { id: 'crash', kind: 'firmware-crash', cause: null, start: 10_000, end: running, truncated: false },
      // Offline from the crash (the last will) until it is online again.
      { id: 'crash/link-dropout', kind: 'link-dropout', cause: 'crash', start: 10_000, end: online, truncated: false },
      { id: 'crash/counter-reset', kind: 'counter-reset', cause: 'crash', start: boot, end: rel(after[0]!.at), truncated: false },
    ].sort((a, b) => a.end - b.end))
  })

  it('firmware-crash keeps its counters by default: seq goes on, no counter-reset', () => {
    const { injector } = setup([{ id: 'crash', kind: 'firmware-crash', at: '10s' }])
    rig.runTo(60_000)
    const seqs = rig.hooks.samples.map((s) => s.seq)
    expect(seqs).toEqual(seqs.map((_, i) => i + 1))
    expect(records(injector).map((r) => r.kind)).toEqual(['firmware-crash', 'link-dropout'])
  })

  it('firmware-rollout → its reboot is a link-dropout, then the release shifts the cohort (cohort-shift, caused by the rollout) until the rollback', () => {
    const { injector, device } = setup([{ id: 'fw-240', kind: 'firmware-rollout', at: '10s', duration: '1m', version: '2.4.0', delta: 3, sensors: ['temperature'] }])
    rig.runTo(40_000)
    expect(device.firmwareVersion).toBe('2.4.0')
    rig.runTo(120_000)
    expect(device.firmwareVersion).toBe('1.0.0')
    const running = rel(rig.hooks.entered('d0', 'firmware', 'running')[1]!)
    const online = rig.hooks.entered('d0', 'connectivity', 'online').map(rel).find((t) => t >= running)!
    expect(running).toBe(12_500) // reboot delay 500 ms + boot 2 s
    for (const s of rig.hooks.samples) {
      const t = rel(s.at)
      const shifted = t > running && t < 70_000
      expect(s.sample.values.temperature).toBeCloseTo(s.sample.clean.temperature! + (shifted ? 3 : 0), 9)
      expect(s.sample.values.humidity).toBe(s.sample.clean.humidity)
    }
    expect(records(injector)).toEqual([
      { id: 'fw-240/link-dropout', kind: 'link-dropout', cause: 'fw-240', start: 10_000, end: online, truncated: false },
      { id: 'fw-240', kind: 'firmware-rollout', cause: null, start: 10_000, end: 70_000, truncated: false },
      { id: 'fw-240/cohort-shift', kind: 'cohort-shift', cause: 'fw-240', start: running, end: 70_000, truncated: false },
    ])
    expect(injector.log.records.at(-1)!.params).toEqual({ delta: 3, version: '2.4.0', sensors: ['temperature'] })
  })
})
