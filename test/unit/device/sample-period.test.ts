import { describe, expect, it } from 'vitest'
import { VirtualClock } from '../../../src/core/clock.js'
import { deriveStream } from '../../../src/core/rng.js'
import { Sampler } from '../../../src/device/sampler.js'
import { makeProfile } from './device-harness.js'

const START = 1_000_000

/** A sampler with a 1 s period starting at 250 ms (jitter as given). */
function rig(jitter = 0) {
  const clock = new VirtualClock({ epochMs: START })
  const profile = makeProfile({ telemetry: { period: '1s', jitter } })
  const ticks: { at: number; tRelMs: number; values: Record<string, number | null> }[] = []
  const sampler = new Sampler(
    profile,
    (purpose) => deriveStream(1, 'dev', `signal:${purpose}`),
    clock,
    START,
    deriveStream(1, 'dev', 'sample-jitter'),
    250,
    {
      ticked: (sample) => void (sample && ticks.push({ at: clock.now() - START, tRelMs: sample.tRelMs, values: { ...sample.values } })),
      producing: () => true,
      reusable: () => false,
    },
  )
  sampler.start()
  return { clock, sampler, ticks, at: () => ticks.map((t) => t.at) }
}

describe('Sampler.setPeriod (config-set)', () => {
  it('re-times the pending interval from the last tick with the new period', () => {
    const r = rig()
    r.clock.advanceBy(2_500) // ticks at 250, 1250, 2250
    r.sampler.setPeriod(3_000)
    expect(r.sampler.samplePeriodMs).toBe(3_000)
    r.clock.advanceBy(9_000)
    expect(r.at()).toEqual([250, 1_250, 2_250, 5_250, 8_250, 11_250])
  })

  it('never schedules into the past: a shorter period due already ticks now', () => {
    const r = rig()
    r.clock.advanceBy(2_900) // last tick 2250; 2250 + 500 is past
    r.sampler.setPeriod(500)
    r.clock.advanceBy(1_100)
    expect(r.at()).toEqual([250, 1_250, 2_250, 2_900, 3_400, 3_900])
  })

  it('before the first tick, the seeded start phase stays and later intervals change', () => {
    const r = rig()
    r.sampler.setPeriod(2_000)
    r.clock.advanceBy(4_500)
    expect(r.at()).toEqual([250, 2_250, 4_250])
  })

  it('keeps the pending jitter draw, so the seeded streams do not shift; setting the same period is a no-op', () => {
    const a = rig(0.1)
    const b = rig(0.1)
    a.clock.advanceBy(5_000)
    b.clock.advanceBy(5_000)
    b.sampler.setPeriod(1_000)
    b.sampler.setPeriod(2_000)
    b.sampler.setPeriod(1_000)
    a.clock.advanceBy(20_000)
    b.clock.advanceBy(20_000)
    expect(b.ticks).toEqual(a.ticks)
  })

  it('a stopped sampler stays stopped', () => {
    const r = rig()
    r.clock.advanceBy(1_500)
    r.sampler.stop()
    r.sampler.setPeriod(100)
    r.clock.advanceBy(5_000)
    expect(r.at()).toEqual([250, 1_250])
  })
})
