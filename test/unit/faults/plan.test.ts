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

describe('planFaults: perDevicePerDay (a Poisson process per device)', () => {
  const DAY = 86_400_000
  const rate = (extra: Record<string, unknown> = {}) => entry({ id: 'r', kind: 'telemetry.offset', delta: 2, duration: '1h', perDevicePerDay: 2, ...extra })
  const startsOf = (plan: ReturnType<typeof planFaults>, device: string) => plan.filter((p) => p.deviceIds[0] === device).map((p) => p.startMs)

  it('draws single-device occurrences at the target rate, numbered <id>#n in start order', () => {
    const plan = planFaults([rate()], DEVICES, SEED, 100 * DAY)
    // 20 devices × 100 days × 2/day = 4,000 expected (sd ≈ 63; the 1 h dead time after each lowers it by ~8%).
    expect(plan.length).toBeGreaterThan(3_400)
    expect(plan.length).toBeLessThan(4_000)
    expect(plan.map((p) => p.faultId)).toEqual(plan.map((_, n) => `r#${n + 1}`))
    for (let n = 1; n < plan.length; n++) expect(plan[n]!.startMs).toBeGreaterThanOrEqual(plan[n - 1]!.startMs)
    for (const p of plan) {
      expect(p.deviceIds).toHaveLength(1)
      expect(Number.isInteger(p.startMs)).toBe(true)
      expect(p.endMs).toBe(p.startMs + 3_600_000)
    }
    // Exponential gaps: their mean is the rate's 12 h plus the 1 h dead time.
    const gaps = DEVICES.flatMap((d) => startsOf(plan, d.id).map((t, i, a) => (i === 0 ? undefined : t - a[i - 1]!)).filter((g): g is number => g !== undefined))
    const mean = gaps.reduce((a, b) => a + b, 0) / gaps.length
    expect(mean / 3_600_000).toBeGreaterThan(12)
    expect(mean / 3_600_000).toBeLessThan(14)
  })

  it('never overlaps itself on a device, and starts at or after at, none after until', () => {
    const plan = planFaults([rate({ at: '1d', until: '20d' })], DEVICES, SEED, 100 * DAY)
    expect(Math.min(...plan.map((p) => p.startMs))).toBeGreaterThanOrEqual(DAY)
    expect(Math.max(...plan.map((p) => p.startMs))).toBeLessThanOrEqual(20 * DAY)
    for (const d of DEVICES) {
      const mine = plan.filter((p) => p.deviceIds[0] === d.id)
      for (let i = 1; i < mine.length; i++) expect(mine[i]!.startMs).toBeGreaterThanOrEqual(mine[i - 1]!.endMs!)
    }
  })

  it('is seeded per (fault, device): same plan for the same seed; a device keeps its times whoever else is targeted, and another fault changes nothing', () => {
    const a = planFaults([rate()], DEVICES, SEED, 10 * DAY)
    expect(planFaults([rate()], DEVICES, SEED, 10 * DAY)).toEqual(a)
    expect(planFaults([rate()], DEVICES, SEED + 1, 10 * DAY).map((p) => p.startMs)).not.toEqual(a.map((p) => p.startMs))
    const alone = planFaults([rate({ target: { ids: ['d-03'] } })], DEVICES, SEED, 10 * DAY)
    expect(alone.map((p) => p.startMs)).toEqual(startsOf(a, 'd-03'))
    const other = entry({ kind: 'telemetry.spike', perDevicePerDay: 5 })
    const both = planFaults([other, rate()], DEVICES, SEED, 10 * DAY).filter((p) => p.faultId.startsWith('r#'))
    expect(both).toEqual(a)
  })

  it('targets first (filters, count), then draws for each target only', () => {
    const plan = planFaults([rate({ target: { group: 'b', count: 3 } })], DEVICES, SEED, 30 * DAY)
    const hit = new Set(plan.map((p) => p.deviceIds[0]))
    expect(hit.size).toBe(3)
    for (const id of hit) expect(DEVICES.find((d) => d.id === id)!.group).toBe('b')
  })

  it('needs a run length (or until) to be planned', () => {
    expect(() => planFaults([rate()], DEVICES, SEED)).toThrow(/perDevicePerDay needs a run length/)
    expect(planFaults([rate({ until: '2d' })], DEVICES, SEED).length).toBeGreaterThan(0)
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
