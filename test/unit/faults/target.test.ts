import { describe, expect, it } from 'vitest'
import { selectTargets, type DeviceDescriptor } from '../../../src/faults/target.js'
import { targetSchema } from '../../../src/spec/fault.schema.js'

const SEED = 7

/** 100 devices: th-000…th-059 in group "sensors" (profile th), tr-000…tr-039 in "trackers" (profile gps). */
const FLEET: DeviceDescriptor[] = [
  ...Array.from({ length: 60 }, (_, i) => ({
    id: `th-${String(i).padStart(3, '0')}`,
    group: 'sensors',
    profile: 'th',
    labels: { site: i % 2 === 0 ? 'berlin' : 'paris', hw: i < 30 ? 'v1' : 'v2' },
    sensors: ['temperature', 'humidity'],
    hasBattery: i % 3 === 0,
  })),
  ...Array.from({ length: 40 }, (_, i) => ({
    id: `tr-${String(i).padStart(3, '0')}`,
    group: 'trackers',
    profile: 'gps',
    labels: { site: 'berlin', hw: 'v2' },
    sensors: ['lat', 'lon'],
    hasBattery: true,
  })),
]
const ids = (ds: DeviceDescriptor[]) => ds.map((d) => d.id)
const select = (target: Record<string, unknown>, faultId = 'f', seed = SEED, sensors?: string[], appliesTo?: (d: DeviceDescriptor) => boolean) =>
  selectTargets(FLEET, targetSchema.parse(target), seed, faultId, sensors, appliesTo)
const isFleetOrder = (ds: DeviceDescriptor[]) => {
  const pos = ds.map((d) => FLEET.indexOf(d))
  return pos.every((p, i) => i === 0 || p > pos[i - 1]!)
}

describe('selectTargets: filters', () => {
  it('with no filter and no count/fraction takes every device, in fleet order', () => {
    expect(select({})).toEqual(FLEET)
  })

  it('group (one or several)', () => {
    expect(ids(select({ group: 'trackers' }))).toEqual(ids(FLEET.slice(60)))
    expect(select({ group: ['trackers', 'sensors'] })).toEqual(FLEET)
    expect(select({ group: 'nobody' })).toEqual([])
  })

  it('ids: exact ids and globs (* and ?), anchored, "." literal', () => {
    expect(ids(select({ ids: ['th-001', 'tr-039'] }))).toEqual(['th-001', 'tr-039'])
    expect(ids(select({ ids: ['th-00*'] }))).toEqual(Array.from({ length: 10 }, (_, i) => `th-00${i}`))
    expect(ids(select({ ids: ['t?-010'] }))).toEqual(['th-010', 'tr-010'])
    expect(ids(select({ ids: ['*-03?'] }))).toHaveLength(20)
    expect(select({ ids: ['th-0'] })).toEqual([]) // anchored: no prefix match
    expect(select({ ids: ['th.001'] })).toEqual([]) // "." is not a wildcard
  })

  it('labels: all given labels must match (values compared as strings)', () => {
    const berlinV2 = select({ labels: { site: 'berlin', hw: 'v2' } })
    expect(berlinV2.length).toBe(15 + 40)
    expect(berlinV2.every((d) => d.labels.site === 'berlin' && d.labels.hw === 'v2')).toBe(true)
    expect(select({ labels: { site: 'tokyo' } })).toEqual([])
  })

  it('profile', () => {
    expect(ids(select({ profile: 'gps' }))).toEqual(ids(FLEET.slice(60)))
  })

  it('filters combine (AND)', () => {
    expect(ids(select({ group: 'sensors', ids: ['th-00*'], labels: { site: 'paris' } }))).toEqual(['th-001', 'th-003', 'th-005', 'th-007', 'th-009'])
  })

  it('a fault on named sensors hits only devices with at least one of them; appliesTo narrows further', () => {
    expect(ids(select({}, 'f', SEED, ['lat']))).toEqual(ids(FLEET.slice(60)))
    expect(select({}, 'f', SEED, ['lat', 'humidity'])).toEqual(FLEET)
    expect(select({}, 'f', SEED, ['pressure'])).toEqual([])
    const battery = select({ group: 'sensors' }, 'f', SEED, undefined, (d) => d.hasBattery)
    expect(battery.length).toBe(20)
    expect(battery.every((d) => d.hasBattery)).toBe(true)
  })
})

describe('selectTargets: count and fraction', () => {
  it('count picks that many of the matching devices (all of them when fewer match)', () => {
    expect(select({ count: 7 })).toHaveLength(7)
    expect(select({ group: 'trackers', count: 5 }).every((d) => d.group === 'trackers')).toBe(true)
    expect(select({ ids: ['th-00*'], count: 50 })).toHaveLength(10)
  })

  it.each([
    [0.25, 10],
    [0.1, 4],
    [0.05, 2],
    [0.0625, 3], // 2.5 rounds up
    [0.01, 1], // 0.4 rounds to 0, but a non-zero fraction hits at least one device
    [0.001, 1],
    [1, 40],
    [0, 0],
  ])('fraction %d of the 40 trackers picks %d', (fraction, k) => {
    const picked = select({ group: 'trackers', fraction })
    expect(picked).toHaveLength(k)
    expect(picked.every((d) => d.group === 'trackers')).toBe(true)
  })

  it('returns the picks in fleet order', () => {
    const picked = select({ count: 30 }, 'ordered')
    expect(isFleetOrder(picked)).toBe(true)
    expect(picked).not.toEqual(FLEET.slice(0, 30))
  })

  it('same seed and fault id: same devices', () => {
    expect(select({ count: 10 }, 'disconnect-at-20s')).toEqual(select({ count: 10 }, 'disconnect-at-20s'))
    expect(select({ fraction: 0.3 }, 'x', 99)).toEqual(select({ fraction: 0.3 }, 'x', 99))
  })

  it('another seed, or another fault id: an independent draw', () => {
    const base = ids(select({ count: 10 }, 'a'))
    expect(ids(select({ count: 10 }, 'a', SEED + 1))).not.toEqual(base)
    expect(ids(select({ count: 10 }, 'b'))).not.toEqual(base)
  })

  it('draws are unbiased across fault ids: every device gets picked by some fault', () => {
    const hits = new Map<string, number>()
    for (let f = 0; f < 400; f++) for (const d of select({ count: 10 }, `fault-${f}`)) hits.set(d.id, (hits.get(d.id) ?? 0) + 1)
    expect(hits.size).toBe(100)
    // 4000 picks over 100 devices: about 40 each.
    for (const n of hits.values()) {
      expect(n).toBeGreaterThan(15)
      expect(n).toBeLessThan(70)
    }
  })

  it('the draw depends only on the matching set, seed and fault id (pure: other faults do not shift it)', () => {
    const alone = select({ count: 5 }, 'p')
    for (let f = 0; f < 10; f++) select({ count: 5 }, `other-${f}`)
    expect(select({ count: 5 }, 'p')).toEqual(alone)
  })
})
