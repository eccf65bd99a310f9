/**
 * Battery lifetime in virtual time against the analytic coulomb-counting answer (issue 3, acceptance 3),
 * and the power-saving sample period at the low threshold.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { createRig, EPOCH, makeProfile, type Rig } from './device-harness.js'

const HOUR_MS = 3_600_000
const PERIOD_MS = 10_000
const LOW_PERIOD_MS = 60_000

// 100 mAh; 0.36 mA idle (1e-4 mAh/s); 0.01 mAh per message, so at one message per 10 s the
// radio costs ten times the idle current and a longer period visibly stretches the lifetime.
const battery = { capacityMah: 100, idleMa: 0.36, perMessageMah: 0.01, lowPercent: 20, criticalPercent: 5 }

/**
 * Time from full to empty: charge over drain rate, piecewise. Rate = idle + one message per period:
 * idleMa / 3.6e6 + perMessageMah / periodMs (mAh per ms). The first (100 − low) % drains at the
 * profile period, the last low % at the power-saving one.
 */
function lifetimeMs(lowPeriodMs = PERIOD_MS): { lowMs: number; deadMs: number } {
  const idlePerMs = battery.idleMa / HOUR_MS
  const lowMah = (battery.capacityMah * battery.lowPercent) / 100
  const lowMs = (battery.capacityMah - lowMah) / (idlePerMs + battery.perMessageMah / PERIOD_MS)
  return { lowMs, deadMs: lowMs + lowMah / (idlePerMs + battery.perMessageMah / lowPeriodMs) }
}

let rig: Rig | undefined
afterEach(async () => {
  await rig?.stopAll()
  rig = undefined
})

/** Runs one full-battery device until well past its analytic death; returns what it did. */
function runToDeath(extra: Record<string, unknown> = {}) {
  rig = createRig()
  const d = rig.add('d1', makeProfile({ telemetry: { period: `${PERIOD_MS}ms`, jitter: 0 }, battery: { ...battery, initialPercent: 100, ...extra } }))
  d.start()
  rig.runTo(60 * HOUR_MS)
  const at = (level: string) => rig!.hooks.entered('d1', 'battery', level)
  const telemetry = rig.telemetry('d1').map((r) => ({ ts: r.json.ts as number, battery: r.json.battery as number }))
  return { d, at, telemetry, relErr: (actualAt: number, expectedMs: number) => Math.abs(actualAt - EPOCH - expectedMs) / expectedMs }
}

/** Intervals between consecutive telemetry timestamps, split at `splitAt` (the low crossing). */
function intervals(telemetry: { ts: number }[], splitAt: number) {
  const before: number[] = []
  const after: number[] = []
  for (let i = 1; i < telemetry.length; i++) {
    const [a, b] = [telemetry[i - 1]!.ts, telemetry[i]!.ts]
    if (b <= splitAt) before.push(b - a)
    else if (a >= splitAt) after.push(b - a)
  }
  return { before, after }
}

describe('battery lifetime (virtual time)', () => {
  it('with lowSamplePeriod: low and dead within ±2% of the piecewise analytic times; the period goes P → lowSamplePeriod at low', () => {
    const { d, at, telemetry, relErr } = runToDeath({ lowSamplePeriod: `${LOW_PERIOD_MS}ms` })
    const expected = lifetimeMs(LOW_PERIOD_MS)
    const [lowAt] = at('low')
    const [deadAt] = at('dead')
    expect(at('low')).toHaveLength(1)
    expect(at('dead')).toHaveLength(1)
    expect(relErr(lowAt!, expected.lowMs)).toBeLessThan(0.02)
    expect(relErr(deadAt!, expected.deadMs)).toBeLessThan(0.02)
    // One period at P would die far earlier: the test tells the two apart.
    expect(relErr(deadAt!, lifetimeMs().deadMs)).toBeGreaterThan(0.2)
    // Dead powers the firmware off; nothing is sent after.
    expect(d.currentStates).toMatchObject({ firmware: 'off', battery: 'dead', connectivity: 'offline' })
    expect(rig!.hooks.entered('d1', 'firmware', 'off')).toContain(deadAt)
    expect(telemetry.at(-1)!.ts).toBeLessThanOrEqual(deadAt!)
    // Sample intervals: exactly P up to the low crossing, exactly lowSamplePeriod from it (critical keeps it).
    const { before, after } = intervals(telemetry, lowAt!)
    expect(before.length).toBeGreaterThan(7_000)
    expect(new Set(before)).toEqual(new Set([PERIOD_MS]))
    expect(after.length).toBeGreaterThan(1_000)
    expect(new Set(after)).toEqual(new Set([LOW_PERIOD_MS]))
    // Reported to one decimal: the last sample before the crossing may read 20.0.
    expect(telemetry.filter((t) => t.ts < lowAt!).every((t) => t.battery >= battery.lowPercent)).toBe(true)
    expect(d.samplePeriodMs).toBe(LOW_PERIOD_MS)
  })

  it('without lowSamplePeriod: dead within ±2% of capacity / (idle + perMessage / P), at P throughout', () => {
    const { d, at, telemetry, relErr } = runToDeath()
    const [lowAt] = at('low')
    const [deadAt] = at('dead')
    expect(relErr(deadAt!, lifetimeMs().deadMs)).toBeLessThan(0.02)
    expect(d.currentStates).toMatchObject({ firmware: 'off', battery: 'dead' })
    const { before, after } = intervals(telemetry, lowAt!)
    expect(new Set([...before, ...after])).toEqual(new Set([PERIOD_MS]))
    expect(d.samplePeriodMs).toBe(PERIOD_MS)
  })

  it('charges every published message once, including ones buffered offline and sent on reconnect', () => {
    rig = createRig()
    const b = { capacityMah: 10, idleMa: 3.6, perMessageMah: 0.01 }
    const d = rig.add('d1', makeProfile({ battery: b, connectivity: { offlineBuffer: 100 } }))
    d.start()
    rig.runTo(20_000)
    d.setNetworkDown(true)
    rig.runTo(40_000)
    d.setNetworkDown(false)
    rig.runTo(60_500)
    const published = rig.hooks.publishes.length
    // About 20 samples were buffered while down and flushed on reconnect: all of them were published.
    expect(rig.hooks.dropped).toEqual([])
    expect(published).toBe(rig.hooks.samples.length)
    expect(rig.telemetry('d1').map((r) => r.json.seq)).toEqual(rig.hooks.samples.map((s) => s.seq))
    // Idle current runs from the first tick (its phase within the period) to the last.
    const first = rig.hooks.samples[0]!.sample.tRelMs
    const last = rig.hooks.samples.at(-1)!.sample.tRelMs
    const idleMah = (b.idleMa * (last - (first % 1_000))) / HOUR_MS
    expect(b.capacityMah - (d.batteryPercent! * b.capacityMah) / 100).toBeCloseTo(idleMah + b.perMessageMah * published, 9)
  })
})

describe('solar charging (virtual time)', () => {
  it('a device that dies in the night boots again in the morning and reports a rising level by day', () => {
    rig = createRig()
    // 20 mAh, 2 mA idle: a full battery lasts 10 h of darkness; the panel gives 4 mA at noon, 6–18 h.
    const d = rig.add(
      'd1',
      makeProfile({
        telemetry: { period: '1m', jitter: 0 },
        battery: { capacityMah: 20, idleMa: 2, perMessageMah: 0, initialPercent: 60, lowPercent: 20, criticalPercent: 5, charging: { kind: 'solar', peakMa: 4, sunrise: 6, sunset: 18, resumePercent: 30 } },
      }),
    )
    d.start()
    rig.runTo(72 * HOUR_MS)
    const hourOfDay = (at: number) => (((at - EPOCH) / HOUR_MS) % 24 + 24) % 24
    const deaths = rig.hooks.entered('d1', 'battery', 'dead')
    expect(deaths.length).toBeGreaterThanOrEqual(2)
    // It dies in the dark (or at the dim edges of the day) …
    for (const at of deaths) expect(hourOfDay(at) < 8 || hourOfDay(at) > 17).toBe(true)
    // … and after each death the firmware boots again, in daylight, once above 30 %.
    const boots = rig.hooks.entered('d1', 'firmware', 'booting')
    for (const at of deaths.slice(0, -1)) {
      const next = boots.find((b) => b > at)
      expect(next).toBeDefined()
      expect(hourOfDay(next!)).toBeGreaterThan(6)
      expect(hourOfDay(next!)).toBeLessThan(18)
    }
    const telemetry = rig.telemetry('d1').map((r) => ({ h: hourOfDay(r.at), day: Math.floor((r.at - EPOCH) / (24 * HOUR_MS)), battery: r.json.battery as number }))
    // Around noon of day 2 the level rises; in the evening it falls.
    const at = (day: number, h: number) => telemetry.find((t) => t.day === day && Math.abs(t.h - h) < 0.02)!.battery
    expect(at(1, 14)).toBeGreaterThan(at(1, 10))
    expect(at(1, 23)).toBeLessThan(at(1, 18.5))
    expect(Math.max(...telemetry.map((t) => t.battery))).toBeLessThanOrEqual(100)
  })
})
