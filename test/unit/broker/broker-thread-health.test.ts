import { describe, expect, it } from 'vitest'
import { BrokerThread } from '../../../src/broker/index.js'

describe('BrokerThread health', () => {
  it('reports its own V8 heap about once a second (the run report adds it to the emulator’s heap)', async () => {
    const broker = await BrokerThread.start({ port: 0 })
    try {
      const heaps: number[] = []
      broker.onHealth((bytes) => heaps.push(bytes))
      const until = performance.now() + 5_000
      while (heaps.length < 2 && performance.now() < until) await new Promise((r) => setTimeout(r, 50))
      expect(heaps.length).toBeGreaterThanOrEqual(2)
      // A worker with aedes loaded holds megabytes of heap, and not more than a fresh process could.
      for (const h of heaps) expect(h).toBeGreaterThan(1 << 20)
      for (const h of heaps) expect(h).toBeLessThan(1 << 30)
    } finally {
      await broker.stop()
    }
  })
})
