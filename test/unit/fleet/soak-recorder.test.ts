import { afterEach, describe, expect, it } from 'vitest'
import { VirtualClock } from '../../../src/core/clock.js'
import { FleetStats } from '../../../src/fleet/fleet-stats.js'
import { SoakRecorder } from '../../../src/fleet/soak-recorder.js'
import { FleetMetrics } from '../../../src/observability/fleet-metrics.js'

/**
 * Reconnect accounting: a reconnect is measured (fault end → online) for a device a fault knocked
 * offline, and only for those. Device shards report from other threads, so a broker-wide fault can
 * drop a device before the device's own fault start reaches this thread.
 */
describe('SoakRecorder reconnect accounting', () => {
  let rec: SoakRecorder | undefined
  afterEach(() => {
    rec?.finish(1)
    rec = undefined
  })

  function recorder(): { rec: SoakRecorder; clock: VirtualClock } {
    const clock = new VirtualClock()
    rec = new SoakRecorder({ clock, runStartMs: 0, metrics: new FleetMetrics({ scenario: 's', defaultMetrics: false }), stats: new FleetStats(), devices: 3, intervalMs: 1000, graceMs: 5_000 })
    rec.start()
    return { rec, clock }
  }

  /** Online at 0; offline at `dropMs`; the fault on it from `startMs` to 20 s; online again at 21.5 s. */
  function knockAndReturn(r: SoakRecorder, id: string, dropMs: number, startMs: number): void {
    r.connectivityChanged(id, 'p', 'connecting', 'online', 0)
    const events = [
      { at: dropMs, run: () => r.connectivityChanged(id, 'p', 'online', 'offline', dropMs) },
      { at: startMs, run: () => r.faultStarted(id, startMs) },
    ].sort((a, b) => a.at - b.at)
    for (const e of events) e.run()
    r.faultEnded(id, 'p', 'broker_restart', 20_000, false, false)
    r.connectivityChanged(id, 'p', 'offline', 'connecting', 20_500)
    r.connectivityChanged(id, 'p', 'connecting', 'online', 21_500)
  }

  it('measures fault end → online for a device the fault knocked offline', () => {
    const { rec: r } = recorder()
    knockAndReturn(r, 'd1', 10_100, 10_000)
    expect(r.reconnect.count).toBe(1)
    expect(r.reconnect.max).toBeCloseTo(1_500, -1)
  })

  it('counts a drop shortly before the device’s own fault start as the fault’s (another shard applied it first)', () => {
    const { rec: r } = recorder()
    knockAndReturn(r, 'd1', 10_000, 10_400)
    expect(r.reconnect.count).toBe(1)
    expect(r.reconnect.max).toBeCloseTo(1_500, -1)
  })

  it('does not count a drop long before the fault, nor a device that was never knocked', () => {
    const { rec: r } = recorder()
    knockAndReturn(r, 'd1', 1_000, 10_000) // dropped 9 s before: not the fault's
    r.connectivityChanged('d2', 'p', 'connecting', 'online', 0)
    r.faultStarted('d2', 10_000) // stayed online through it
    r.faultEnded('d2', 'p', 'broker_restart', 20_000, true, false)
    expect(r.reconnect.count).toBe(0)
  })

  it('forgets a drop once the device is back online before the fault', () => {
    const { rec: r } = recorder()
    r.connectivityChanged('d1', 'p', 'connecting', 'online', 0)
    r.connectivityChanged('d1', 'p', 'online', 'offline', 9_000)
    r.connectivityChanged('d1', 'p', 'offline', 'online', 9_500)
    r.faultStarted('d1', 10_000)
    r.faultEnded('d1', 'p', 'broker_restart', 20_000, true, false)
    expect(r.reconnect.count).toBe(0)
  })
})
