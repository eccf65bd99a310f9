import { describe, expect, it } from 'vitest'
import { VirtualClock } from '../../../src/core/clock.js'
import { deriveStream } from '../../../src/core/rng.js'
import { Sampler, type Sample } from '../../../src/device/sampler.js'
import type { ValueFault } from '../../../src/device/value-fault.js'
import { makeProfile } from './device-harness.js'

const START = 1_000_000

function rig(opts: { jitter?: number; startRelMs?: number; producing?: () => boolean } = {}) {
  const clock = new VirtualClock({ epochMs: START })
  const profile = makeProfile({ telemetry: { period: '1s', jitter: opts.jitter ?? 0 } })
  const ticks: { at: number; sample: Sample | undefined; elapsed: number }[] = []
  const sampler = new Sampler(
    profile,
    (purpose) => deriveStream(1, 'dev', `signal:${purpose}`),
    clock,
    START,
    deriveStream(1, 'dev', 'sample-jitter'),
    opts.startRelMs ?? 250,
    {
      ticked: (sample, elapsed) => void ticks.push({ at: clock.now(), sample: sample && structuredClone(sample), elapsed }),
      producing: opts.producing ?? (() => true),
      reusable: () => false,
    },
  )
  return { clock, sampler, ticks }
}

describe('Sampler', () => {
  it('ticks at runStart + startRelMs, then every period; elapsed is the time since the previous tick', () => {
    const { clock, sampler, ticks } = rig()
    sampler.start()
    clock.advanceBy(3_300)
    expect(ticks.map((t) => t.at - START)).toEqual([250, 1_250, 2_250, 3_250])
    expect(ticks.map((t) => t.elapsed)).toEqual([0, 1_000, 1_000, 1_000])
    expect(ticks.map((t) => t.sample!.tRelMs)).toEqual([250, 1_250, 2_250, 3_250])
    expect(ticks.every((t) => t.sample!.ts === t.at)).toBe(true)
  })

  it('with jitter, each gap is a whole number of ms in [period, period·(1 + jitter)], seeded', () => {
    const gaps = () => {
      const { clock, sampler, ticks } = rig({ jitter: 0.1 })
      sampler.start()
      clock.advanceBy(200_000)
      return ticks.slice(1).map((t, i) => t.at - ticks[i]!.at)
    }
    const g = gaps()
    expect(g.length).toBeGreaterThan(150)
    for (const gap of g) {
      expect(Number.isInteger(gap)).toBe(true)
      expect(gap).toBeGreaterThanOrEqual(1_000)
      expect(gap).toBeLessThanOrEqual(1_100)
    }
    expect(new Set(g).size).toBeGreaterThan(20)
    expect(gaps()).toEqual(g)
  })

  it('while not producing, ticks carry no sample but the signals still advance', () => {
    let producing = false
    const a = rig({ producing: () => producing })
    a.sampler.start()
    a.clock.advanceBy(3_000)
    expect(a.ticks.map((t) => t.sample)).toEqual([undefined, undefined, undefined])
    producing = true
    a.clock.advanceBy(2_000)
    // Same values as a sampler that produced all along: clean values depend only on the seed and time.
    const b = rig()
    b.sampler.start()
    b.clock.advanceBy(5_000)
    expect(a.ticks.slice(3).map((t) => t.sample!.clean)).toEqual(b.ticks.slice(3).map((t) => t.sample!.clean))
  })

  it('lastCleanValue is the clean value of the last produced sample', () => {
    let producing = true
    const { clock, sampler, ticks } = rig({ producing: () => producing })
    expect(sampler.lastCleanValue('temperature')).toBeUndefined()
    sampler.start()
    clock.advanceBy(2_000)
    const last = ticks.at(-1)!.sample!.clean
    expect(sampler.lastCleanValue('temperature')).toBe(last.temperature)
    producing = false
    clock.advanceBy(2_000)
    expect(sampler.lastCleanValue('temperature')).toBe(last.temperature)
  })

  it('applies faults in attach order, each seeing the value the previous one produced', () => {
    const { clock, sampler, ticks } = rig()
    const add = (faultId: string, f: (v: number) => number): ValueFault => ({ faultId, kind: 't', sensors: new Set(['temperature']), mutate: (_s, v) => f(v) })
    sampler.attach(add('plus', (v) => v + 1))
    sampler.attach(add('double', (v) => v * 2))
    sampler.start()
    clock.advanceBy(500)
    const s = ticks[0]!.sample!
    expect(s.values.temperature).toBeCloseTo((s.clean.temperature! + 1) * 2, 9)
    expect(s.faultIds).toEqual({ temperature: ['plus', 'double'] })
    expect(sampler.detach('plus')).toBe(true)
    expect(sampler.detach('plus')).toBe(false)
    expect(sampler.activeFaults.map((f) => f.faultId)).toEqual(['double'])
  })

  it('a raw fault (unit change) is not clamped to the range, only rounded — nor are later faults on that sensor', () => {
    const { clock, sampler, ticks } = rig()
    const huge: ValueFault = { faultId: 'raw', kind: 't', sensors: new Set(['humidity']), raw: true, mutate: () => 1234.56789 }
    sampler.attach(huge)
    sampler.attach({ faultId: 'after', kind: 't', sensors: new Set(['humidity']), mutate: (_s, v) => v + 1 })
    sampler.attach({ faultId: 'clamped', kind: 't', sensors: new Set(['temperature']), mutate: () => 1234.56789 })
    sampler.start()
    clock.advanceBy(500)
    expect(ticks[0]!.sample!.values).toEqual({ humidity: 1235.57, temperature: 85 })
  })

  it('stop() cancels the next tick', () => {
    const { clock, sampler, ticks } = rig()
    sampler.start()
    clock.advanceBy(1_500)
    sampler.stop()
    expect(clock.pending).toBe(0)
    clock.advanceBy(10_000)
    expect(ticks).toHaveLength(2)
  })
})
