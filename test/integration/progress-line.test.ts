import { afterEach, describe, expect, it } from 'vitest'
import { ProgressLine } from '../../src/cli/progress.js'
import { startFleet, type Fleet } from '../../src/index.js'

/** The CLI's live line, read off a real fleet on the real embedded broker. */
describe('the progress line', () => {
  let fleet: Fleet | undefined
  afterEach(async () => {
    await fleet?.stop()
    fleet = undefined
  })

  it('shows what is delivered, what is in flight and the latest p99 beside what is published', async () => {
    fleet = await startFleet('test/fixtures/integration/fast.fleet.yaml', { brokerPort: 0, metricsPort: false, durationMs: 60_000, reportIntervalMs: 250 })
    const progress = new ProgressLine(fleet, process.stderr, false)
    await fleet.waitFor((f) => f.count({ connectivity: 'online' }) === 60, { timeoutMs: 10_000 })
    progress.line() // the rates are since the line before
    const measurements = fleet.measurements!
    const deliveredBefore = measurements.probe.counts.delivered
    await fleet.waitFor((f) => f.measurements!.probe.counts.delivered >= deliveredBefore + 20 && f.measurements!.timeline().points.some((p) => p.latencyP99Ms !== null), { timeoutMs: 10_000 })
    const line = progress.line()
    const shown = /online 60\/60 · (\d+) msg\/s · delivered (\d+)\/s · in flight (\d+) · p99 ([\d.]+ ?(?:ms|s)) · faults: none$/.exec(line)
    expect(shown, line).not.toBeNull()
    const [, published, delivered, inFlight] = shown!.slice(0, 4).map(Number)
    expect(published).toBeGreaterThan(0)
    expect(delivered).toBeGreaterThan(0)
    // 60 devices at 5 readings a second on loopback: in flight is less than a second's worth, not a backlog.
    expect(inFlight).toBeLessThan(300)
  })
})
