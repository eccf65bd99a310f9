import { describe, expect, it } from 'vitest'
import { ProcessMonitor } from '../../../src/observability/index.js'

describe('process monitor', () => {
  it("counts device shards' heaps in the heap figures and takes the worst thread's event-loop lag", () => {
    const m = new ProcessMonitor()
    m.start()
    const alone = m.sample()
    expect(alone.rssBytes).toBeGreaterThan(0)
    m.reportThread(0, { heapUsedBytes: 300 << 20, lagP99Ms: 40, lagMaxMs: 900, runLagP99Ms: 35, runLagMaxMs: 1_200 })
    m.reportThread(1, { heapUsedBytes: 200 << 20, lagP99Ms: 12, lagMaxMs: 30, runLagP99Ms: null, runLagMaxMs: null })
    const s = m.sample()
    expect(s.heapUsedBytes).toBeGreaterThanOrEqual(500 << 20)
    expect(s.heapUsedBytes).toBeLessThan((500 << 20) + 4 * process.memoryUsage().heapTotal)
    expect(s.eventLoopLagP99Ms).toBeGreaterThanOrEqual(40)
    expect(s.eventLoopLagMaxMs).toBeGreaterThanOrEqual(900)
    expect(m.heapPeak).toBe(s.heapUsedBytes)
    const run = m.runLag()
    expect(run.p99).toBeGreaterThanOrEqual(35)
    expect(run.max).toBeGreaterThanOrEqual(1_200)
    // A newer report from a thread replaces its older one.
    m.reportThread(0, { heapUsedBytes: 0, lagP99Ms: 0, lagMaxMs: 0, runLagP99Ms: 35, runLagMaxMs: 1_200 })
    expect(m.sample().heapUsedBytes).toBeLessThan(300 << 20)
    m.stop()
  })
})
