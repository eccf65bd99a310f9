import { describe, expect, it } from 'vitest'
import { deriveStream } from '../../../src/core/rng.js'
import { BatteryModel } from '../../../src/device/battery.js'
import { batterySchema } from '../../../src/spec/device-profile.schema.js'

const HOUR = 3_600_000
const boot = (device = 'dev') => deriveStream(1, device, 'boot')
const battery = (spec: Record<string, unknown>, rng = boot()) => new BatteryModel(batterySchema.parse(spec), rng)

describe('BatteryModel', () => {
  it('starts full by default', () => {
    const b = battery({ capacityMah: 1000 })
    expect(b.percent).toBe(100)
    expect(b.level()).toBe('ok')
  })

  it('drains idle mA over time: 10 mA for 1 h from 1000 mAh is 1%', () => {
    const b = battery({ capacityMah: 1000, idleMa: 10, perMessageMah: 0 })
    b.drain(HOUR, 0)
    expect(b.percent).toBeCloseTo(99, 12)
    b.drain(HOUR / 2, 0)
    expect(b.percent).toBeCloseTo(98.5, 12)
  })

  it('drains perMessageMah per message on top of idle current', () => {
    const b = battery({ capacityMah: 100, idleMa: 0, perMessageMah: 0.5 })
    b.drain(HOUR, 4)
    expect(b.percent).toBeCloseTo(98, 12)
    const c = battery({ capacityMah: 100, idleMa: 1, perMessageMah: 0.5 })
    c.drain(HOUR, 4) // 1 mAh idle + 2 mAh messages
    expect(c.percent).toBeCloseTo(97, 12)
  })

  it('crosses ok → low → critical → dead at the thresholds (inclusive) and never goes below 0', () => {
    const b = battery({ capacityMah: 100, idleMa: 0, perMessageMah: 1, lowPercent: 20, criticalPercent: 5 })
    const levels: string[] = []
    for (let i = 0; i < 100; i++) levels.push(b.drain(0, 1))
    // After message k the battery is at (100 - k)%.
    expect(levels[78]).toBe('ok') // 21%
    expect(levels[79]).toBe('low') // 20%
    expect(levels[93]).toBe('low') // 6%
    expect(levels[94]).toBe('critical') // 5%
    expect(levels[98]).toBe('critical') // 1%
    expect(levels[99]).toBe('dead') // 0%
    expect(b.drain(HOUR, 10)).toBe('dead')
    expect(b.percent).toBe(0)
  })

  it('uses the profile thresholds', () => {
    const b = battery({ capacityMah: 100, initialPercent: 50, lowPercent: 60, criticalPercent: 40 })
    expect(b.level()).toBe('low')
    const c = battery({ capacityMah: 100, initialPercent: 40, lowPercent: 60, criticalPercent: 40 })
    expect(c.level()).toBe('critical')
    expect(battery({ capacityMah: 100, initialPercent: 0 }).level()).toBe('dead')
  })

  it('a fixed initialPercent is used as is and draws nothing', () => {
    const rng = boot()
    battery({ capacityMah: 10, initialPercent: 42 }, rng)
    expect(rng.next()).toBe(boot().next())
    expect(battery({ capacityMah: 10, initialPercent: 42 }).percent).toBeCloseTo(42, 12)
  })

  it('an initialPercent range is drawn from the seeded boot stream, inside the range, either order', () => {
    const seen = new Set<number>()
    for (const device of ['a', 'b', 'c', 'd', 'e']) {
      const p = battery({ capacityMah: 2000, initialPercent: [30, 60] }, boot(device)).percent
      expect(p).toBeGreaterThanOrEqual(30)
      expect(p).toBeLessThanOrEqual(60)
      expect(p).toBeCloseTo(boot(device).uniform(30, 60), 9)
      expect(battery({ capacityMah: 2000, initialPercent: [60, 30] }, boot(device)).percent).toBeCloseTo(p, 12)
      seen.add(p)
    }
    expect(seen.size).toBe(5)
  })
})
