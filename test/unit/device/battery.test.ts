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

describe('charging', () => {
  const solar = (extra: Record<string, unknown> = {}) =>
    batterySchema.parse({ capacityMah: 10_000, idleMa: 0, perMessageMah: 0, initialPercent: 50, charging: { kind: 'solar', peakMa: 100, sunrise: 6, sunset: 18, ...extra } })

  it('a solar panel gives peak · daylight · 2/π per clear day, however the day is cut into steps', () => {
    const expected = (100 * 12 * 2) / Math.PI // mAh
    for (const stepMs of [60_000, HOUR, 7 * HOUR]) {
      const b = new BatteryModel(solar(), deriveStream(1, 'd', 'boot'), deriveStream(1, 'd', 'charging'))
      for (let t = stepMs; t <= 28 * HOUR; t += stepMs) b.drain(stepMs, 0, t)
      // 28 h: one whole day (the next day's sunrise is at 30 h); 5,000 mAh to start.
      expect(b.percent).toBeCloseTo((100 * (5_000 + expected)) / 10_000, 6)
    }
  })

  it('charges nothing at night and most at solar noon', () => {
    const b = new BatteryModel(solar(), deriveStream(1, 'd', 'boot'), deriveStream(1, 'd', 'charging'))
    expect(b.chargingMa(3 * HOUR)).toBe(0)
    expect(b.chargingMa(20 * HOUR)).toBe(0)
    expect(b.chargingMa(12 * HOUR)).toBeCloseTo(100, 9)
    expect(b.chargingMa(9 * HOUR)).toBeCloseTo(100 * Math.sin(Math.PI / 4), 9)
  })

  it('weather scales each day by a seeded factor in [1 − weather, 1], the same for the same seed', () => {
    const day = (seed: number) => {
      const b = new BatteryModel(solar({ weather: 0.8 }), deriveStream(seed, 'd', 'boot'), deriveStream(seed, 'd', 'charging'))
      return [0, 1, 2, 3].map((d) => b.chargingMa((d * 24 + 12) * HOUR) / 100)
    }
    const a = day(1)
    for (const f of a) {
      expect(f).toBeGreaterThanOrEqual(0.2)
      expect(f).toBeLessThanOrEqual(1)
    }
    expect(new Set(a).size).toBe(4)
    expect(day(1)).toEqual(a)
    expect(day(2)).not.toEqual(a)
  })

  it('never charges past full; a constant charger can hold a device up', () => {
    const spec = batterySchema.parse({ capacityMah: 100, idleMa: 1, perMessageMah: 0, initialPercent: 90, charging: { kind: 'constant', ma: 5 } })
    const b = new BatteryModel(spec, deriveStream(1, 'd', 'boot'), deriveStream(1, 'd', 'charging'))
    for (let t = HOUR; t <= 10 * HOUR; t += HOUR) b.drain(HOUR, 0, t)
    expect(b.percent).toBe(100)
  })

  it('a dead battery draws nothing and can resume once above resumePercent', () => {
    const spec = batterySchema.parse({ capacityMah: 100, idleMa: 10, perMessageMah: 0, initialPercent: 0, charging: { kind: 'constant', ma: 10, resumePercent: 30 } })
    const b = new BatteryModel(spec, deriveStream(1, 'd', 'boot'), deriveStream(1, 'd', 'charging'))
    expect(b.level()).toBe('dead')
    b.drain(2 * HOUR, 0, 2 * HOUR, false)
    expect(b.percent).toBeCloseTo(20, 9)
    expect(b.canResume).toBe(false)
    b.drain(2 * HOUR, 0, 4 * HOUR, false)
    expect(b.canResume).toBe(true)
  })

  it('rejects a sunset before sunrise with a hint', () => {
    const r = batterySchema.safeParse({ capacityMah: 1, charging: { kind: 'solar', peakMa: 1, sunrise: 19, sunset: 7 } })
    expect(r.success).toBe(false)
    expect(r.error!.issues[0]!.path).toEqual(['charging', 'sunset'])
  })
})
