import { describe, expect, it } from 'vitest'
import { defaultFaultIds, occurrenceStarts, planFaults } from '../../../src/faults/plan.js'
import { faultKinds } from '../../../src/faults/registry.js'
import type { FaultEntry } from '../../../src/faults/fault-kind.js'
import type { DeviceDescriptor } from '../../../src/faults/target.js'

const SEED = 3
const DEVICES: DeviceDescriptor[] = Array.from({ length: 20 }, (_, i) => ({
  id: `d-${String(i).padStart(2, '0')}`,
  group: i < 10 ? 'a' : 'b',
  profile: i < 10 ? 'th' : 'gps',
  labels: {},
  sensors: i < 10 ? ['temperature', 'humidity'] : ['lat', 'lon'],
  hasBattery: i % 2 === 0,
}))

/** A fault entry as the fleet file schema produces it (parsed by its kind's schema). */
const entry = (raw: Record<string, unknown>): FaultEntry => faultKinds[raw.kind as string]!.entrySchema.parse(raw)

describe('defaultFaultIds', () => {
  it('names a fault by kind and start time; repeats get -2, -3; explicit ids are kept and never reused', () => {
    const entries = [
      entry({ kind: 'disconnect', at: '20s', duration: '5s' }),
      entry({ kind: 'telemetry.spike', at: '1h30m' }),
      entry({ kind: 'disconnect', at: '20s', duration: '9s' }),
      entry({ kind: 'disconnect', at: '20s', duration: '5s', id: 'disconnect-at-20s-3' }),
      entry({ kind: 'disconnect', at: '20s', duration: '5s' }),
      entry({ kind: 'loss', at: 0, duration: '1m', rate: 0.1 }),
      entry({ kind: 'loss', at: 250, duration: '1m', rate: 0.1, id: 'mine' }),
    ]
    expect(defaultFaultIds(entries)).toEqual([
      'disconnect-at-20s',
      'telemetry.spike-at-1h30m',
      'disconnect-at-20s-2',
      'disconnect-at-20s-3',
      'disconnect-at-20s-4',
      'loss-at-0s',
      'mine',
    ])
  })

  it('inserting a fault does not rename the others of another kind or time', () => {
    const a = entry({ kind: 'disconnect', at: '20s', duration: '5s' })
    const b = entry({ kind: 'loss', at: '1m', duration: '1m', rate: 0.5 })
    const extra = entry({ kind: 'telemetry.stuck', at: '5s', duration: '5s' })
    expect(defaultFaultIds([a, b])).toEqual(defaultFaultIds([extra, a, b]).slice(1))
  })
})

describe('planFaults', () => {
  it('gives start/end in ms since the run start (end undefined without a duration), sorted by start then id', () => {
    const plan = planFaults(
      [
        entry({ kind: 'disconnect', at: '1m', duration: '30s' }),
        entry({ kind: 'telemetry.spike', at: '10s', samples: 2 }),
        entry({ kind: 'loss', at: '10s', duration: '5s', rate: 0.2, id: 'a-loss' }),
      ],
      DEVICES,
      SEED,
    )
    expect(plan.map((p) => [p.faultId, p.kind, p.startMs, p.endMs])).toEqual([
      ['a-loss', 'loss', 10_000, 15_000],
      ['telemetry.spike-at-10s', 'telemetry.spike', 10_000, undefined],
      ['disconnect-at-1m', 'disconnect', 60_000, 90_000],
    ])
    expect(plan[2]!.deviceIds).toEqual(DEVICES.map((d) => d.id))
    expect(plan[2]!.entry).toMatchObject({ kind: 'disconnect', mode: 'unclean' })
  })

  it('targets with the fault id as seed: same inputs, same plan; another seed, other devices', () => {
    const faults = [entry({ kind: 'disconnect', at: '5s', duration: '5s', target: { count: 5 } }), entry({ kind: 'disconnect', at: '9s', duration: '5s', target: { fraction: 0.3 } })]
    const a = planFaults(faults, DEVICES, SEED)
    expect(planFaults(faults, DEVICES, SEED)).toEqual(a)
    expect(a.map((p) => p.deviceIds.length)).toEqual([5, 6])
    expect(planFaults(faults, DEVICES, SEED + 1).map((p) => p.deviceIds)).not.toEqual(a.map((p) => p.deviceIds))
    // Adding a fault before them changes neither their ids nor their devices.
    const more = planFaults([entry({ kind: 'loss', at: '1s', duration: '1s', rate: 0.5, target: { count: 3 } }), ...faults], DEVICES, SEED)
    expect(more.slice(1)).toEqual(a)
  })

  it('faults on named sensors only target devices that have them', () => {
    const [p] = planFaults([entry({ kind: 'telemetry.stuck', at: 0, duration: '5s', sensors: ['lat'] })], DEVICES, SEED)
    expect(p!.deviceIds).toEqual(DEVICES.slice(10).map((d) => d.id))
  })

  it('kinds narrow their targets (battery-drain: devices with a battery)', () => {
    const [p] = planFaults([entry({ kind: 'battery-drain', at: 0, extraMa: 100 })], DEVICES, SEED)
    expect(p!.deviceIds).toEqual(DEVICES.filter((d) => d.hasBattery).map((d) => d.id))
  })

  it('every: occurrences <id>#1, #2… every period, bounded by times, until and the run length; targets re-drawn each time', () => {
    const base = { kind: 'disconnect', at: '10s', duration: '5s', every: '1m', target: { count: 3 } }
    const times = planFaults([entry({ ...base, times: 3 })], DEVICES, SEED)
    expect(times.map((p) => [p.faultId, p.startMs, p.endMs])).toEqual([
      ['disconnect-at-10s#1', 10_000, 15_000],
      ['disconnect-at-10s#2', 70_000, 75_000],
      ['disconnect-at-10s#3', 130_000, 135_000],
    ])
    expect(new Set(times.map((p) => p.deviceIds.join())).size).toBeGreaterThan(1)
    expect(planFaults([entry({ ...base, until: '2m' })], DEVICES, SEED).map((p) => p.startMs)).toEqual([10_000, 70_000])
    expect(planFaults([entry(base)], DEVICES, SEED, 200_000).map((p) => p.startMs)).toEqual([10_000, 70_000, 130_000, 190_000])
  })

  it('probability keeps each targeted device per occurrence with a seeded draw', () => {
    const faults = [entry({ kind: 'disconnect', at: '1s', duration: '1s', probability: 0.5 })]
    const [p] = planFaults(faults, DEVICES, SEED)
    expect(p!.deviceIds.length).toBeGreaterThan(3)
    expect(p!.deviceIds.length).toBeLessThan(17)
    expect(planFaults(faults, DEVICES, SEED)[0]!.deviceIds).toEqual(p!.deviceIds)
    expect(planFaults([entry({ kind: 'disconnect', at: '1s', duration: '1s', probability: 0 })], DEVICES, SEED)[0]!.deviceIds).toEqual([])
    expect(planFaults([entry({ kind: 'disconnect', at: '1s', duration: '1s', probability: 1 })], DEVICES, SEED)[0]!.deviceIds).toHaveLength(20)
  })
})

describe('occurrenceStarts', () => {
  it('is [at] without every', () => {
    expect(occurrenceStarts(entry({ kind: 'disconnect', at: '7s', duration: '1s' }), 1_000)).toEqual([7_000])
  })

  it('stops before the run ends', () => {
    expect(occurrenceStarts(entry({ kind: 'disconnect', at: 0, duration: '1s', every: '10s' }), 30_000)).toEqual([0, 10_000, 20_000])
  })
})
