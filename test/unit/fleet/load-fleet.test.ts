import { resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { isFleetError, type FleetError } from '../../../src/core/errors.js'
import { loadFleet, scaleCounts, type ResolvedFleet } from '../../../src/fleet/load-fleet.js'

const QUICKSTART = 'fleets/quickstart.fleet.yaml'
const VALID = 'test/fixtures/valid'

function loadError(file: string, opts?: Parameters<typeof loadFleet>[1]): FleetError {
  try {
    loadFleet(file, opts)
  } catch (e) {
    if (isFleetError(e)) return e
    throw e
  }
  throw new Error(`${file} loaded without error`)
}

const idsOf = (fleet: ResolvedFleet, group: string) => fleet.devices.filter((d) => d.group === group).map((d) => d.id)

describe('loadFleet: fleets/quickstart.fleet.yaml', () => {
  const fleet = loadFleet(QUICKSTART)

  it('makes 1000 devices in group order with ids from each group’s pattern', () => {
    expect(fleet.devices).toHaveLength(1000)
    const sensors = idsOf(fleet, 'sensors')
    const meters = idsOf(fleet, 'meters')
    const trackers = idsOf(fleet, 'trackers')
    expect([sensors.length, meters.length, trackers.length]).toEqual([600, 300, 100])
    expect([sensors[0], sensors[599], meters[0], meters[299], trackers[0], trackers[99]]).toEqual(['th-0001', 'th-0600', 'sm-0001', 'sm-0300', 'gt-0001', 'gt-0100'])
    expect(fleet.devices.map((d) => d.id)).toEqual([...sensors, ...meters, ...trackers])
    expect(new Set(fleet.devices.map((d) => d.id)).size).toBe(1000)
  })

  it('resolves each named profile once and gives every device its group’s profile and labels', () => {
    expect([...fleet.profiles.keys()]).toEqual(['env-sensor', 'smart-meter', 'asset-tracker'])
    const th = fleet.devices[0]!
    expect(th.profile).toBe(fleet.profiles.get('env-sensor'))
    expect(th.profile.telemetry.period).toBe(5_000)
    expect(th.labels).toEqual({ vendor: 'acme', hw: 'th-200', power: 'battery' })
    expect(fleet.devices.find((d) => d.id === 'sm-0001')!.profile.name).toBe('smart-meter')
  })

  it('normalises durations to ms and fills defaults, then freezes the spec', () => {
    expect(fleet.spec.duration).toBe(60_000)
    expect(fleet.spec.faults.map((f) => [f.id, f.kind, f.at, f.duration])).toEqual([
      ['wifi-outage', 'disconnect', 20_000, 15_000],
      ['temp-spikes', 'telemetry.spike', 25_000, undefined],
      ['meter-stuck', 'telemetry.stuck', 30_000, 20_000],
    ])
    expect(fleet.spec.faults[1]!.target.group).toEqual(['sensors'])
    expect(fleet.spec.faults[0]!.mode).toBe('unclean')
    expect(Object.isFrozen(fleet.spec)).toBe(true)
    expect(Object.isFrozen(fleet.spec.faults[0]!.target)).toBe(true)
  })
})

describe('loadFleet: the devices option', () => {
  it.each([
    [10, [6, 3, 1]],
    [7, [4, 2, 1]], // exact 4.2, 2.1, 0.7: the one left over goes to the largest remainder
    [1001, [601, 300, 100]],
    [1, [1, 0, 0]],
    [0, [0, 0, 0]],
  ])('devices: %i scales 600/300/100 to %j and keeps ids sequential', (total, counts) => {
    const fleet = loadFleet(QUICKSTART, { devices: total })
    expect(fleet.devices).toHaveLength(total)
    expect(['sensors', 'meters', 'trackers'].map((g) => idsOf(fleet, g).length)).toEqual(counts)
    if (counts[0]! > 0) expect(idsOf(fleet, 'sensors').at(-1)).toBe(`th-${String(counts[0]).padStart(4, '0')}`)
  })
})

describe('scaleCounts', () => {
  it('splits by largest remainder, ties to the earlier group', () => {
    expect(scaleCounts([600, 300, 100], 7)).toEqual([4, 2, 1])
    expect(scaleCounts([1, 1, 1], 2)).toEqual([1, 1, 0])
    expect(scaleCounts([3, 1], 2)).toEqual([2, 0])
    expect(scaleCounts([0, 5], 3)).toEqual([0, 3])
  })

  it('always hits the total exactly, each group within 1 of its exact share', () => {
    const shapes = [[1], [1, 2, 3], [600, 300, 100], [7, 0, 13, 1], [1, 1, 1, 1, 1, 1, 1], [999, 1]]
    for (const counts of shapes) {
      const sum = counts.reduce((a, b) => a + b, 0)
      for (const total of [0, 1, 2, 3, 10, 99, 1000, 12_345]) {
        const out = scaleCounts(counts, total)
        expect(out.reduce((a, b) => a + b, 0)).toBe(total)
        out.forEach((n, i) => {
          expect(n).toBeGreaterThanOrEqual(0)
          expect(Math.abs(n - (counts[i]! * total) / sum)).toBeLessThan(1)
        })
      }
    }
  })

  it('gives zeros when every group is empty (nothing to scale)', () => {
    expect(scaleCounts([0, 0], 5)).toEqual([0, 0])
  })
})

describe('loadFleet: profiles and ids', () => {
  it('resolves a profile given by a path relative to the fleet file, not the working directory', () => {
    const fleet = loadFleet(`${VALID}/two-groups.fleet.yaml`)
    expect([...fleet.profiles.keys()]).toEqual(['./mini-sensor.device.yaml'])
    expect(fleet.profiles.get('./mini-sensor.device.yaml')!.name).toBe('mini-sensor')
    expect(fleet.devices.map((d) => d.id)).toEqual(['lab-01', 'lab-02', 'lab-03', 'roof-0001'])
    // Profile labels, then group labels on top (group label values become strings).
    expect(fleet.devices[3]!.labels).toEqual({ site: 'lab', floor: '9' })
    expect(fleet.spec.faults[0]!.target).toEqual({ group: ['lab', 'roof'], count: 2 })
  })

  it('resolves the same fleet when given as an absolute path', () => {
    const fleet = loadFleet(resolve(VALID, 'two-groups.fleet.yaml'))
    expect(fleet.devices).toHaveLength(4)
  })

  it('finds a profile by name in profilesDir, and reports it missing without', () => {
    expect(loadFleet(`${VALID}/by-name.fleet.yaml`, { profilesDir: VALID }).devices.map((d) => d.id)).toEqual(['lab-0001', 'lab-0002'])
    const e = loadError(`${VALID}/by-name.fleet.yaml`)
    expect(e.code).toBe('FLEET_ERR_SPEC_INVALID')
    expect(e.problems.map((p) => [p.line, p.column, p.path])).toEqual([[5, 27, 'groups[0].profile']])
    expect(e.problems[0]!.message).toMatch(/^device profile "mini-sensor" not found/)
  })

  it('reports device ids made by two groups, at the second group’s idPattern', () => {
    const e = loadError('test/fixtures/invalid/duplicate-ids.fleet.yaml')
    expect(e.code).toBe('FLEET_ERR_SPEC_INVALID')
    expect(e.problems).toEqual([
      {
        file: 'test/fixtures/invalid/duplicate-ids.fleet.yaml',
        line: 6,
        column: 83,
        path: 'groups[1].idPattern',
        message: 'device id "d-01" is also made by group "lab"',
        hint: 'give each group its own id prefix',
      },
    ])
  })

  it('still reports duplicate ids when the devices option scales the groups', () => {
    const e = loadError('test/fixtures/invalid/duplicate-ids.fleet.yaml', { devices: 50 })
    expect(e.problems.map((p) => p.path)).toEqual(['groups[1].idPattern'])
  })

  it('throws FLEET_ERR_SPEC_FILE_NOT_FOUND for a fleet file that does not exist', () => {
    const e = loadError('fleets/no-such.fleet.yaml')
    expect(e.code).toBe('FLEET_ERR_SPEC_FILE_NOT_FOUND')
    expect(e.message).toBe('file not found: fleets/no-such.fleet.yaml')
    expect(e.cause).toBeInstanceOf(Error)
  })
})
