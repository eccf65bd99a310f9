import { Worker } from 'node:worker_threads'
import { describe, expect, it } from 'vitest'
import { RealClock } from '../../../src/core/index.js'
import { resolveBrokerThread, resolveWorkers } from '../../../src/cli/commands/run.js'
import { FaultLog, type FaultRecord } from '../../../src/faults/index.js'
import { shardRanges } from '../../../src/fleet/device-shards.js'

describe('device shard helpers', () => {
  it('shard ranges cover every device once, in order, as --shard k/N splits them', () => {
    expect(shardRanges(10, 3)).toEqual([
      { from: 0, to: 3 },
      { from: 3, to: 6 },
      { from: 6, to: 10 },
    ])
    const r = shardRanges(10_001, 2)
    expect(r[0]!.from).toBe(0)
    expect(r[0]!.to).toBe(r[1]!.from)
    expect(r[1]!.to).toBe(10_001)
  })

  it('--workers auto shards only large fleets on the embedded broker with memory links: the cores beyond two beside a broker thread, one beside a broker on the main thread', () => {
    expect(resolveWorkers('auto', 10_000, true, 'memory', true, 8)).toBe(6)
    expect(resolveWorkers('auto', 10_000, true, 'memory', true, 3)).toBe(1)
    // Two cores with a broker thread: it and the main thread have them; the devices stay on the main thread.
    expect(resolveWorkers('auto', 10_000, true, 'memory', true, 2)).toBe(0)
    expect(resolveWorkers('auto', 10_000, true, 'memory', true, 1)).toBe(0)
    // The broker on the main thread: one worker for the devices, if there is a second core.
    expect(resolveWorkers('auto', 10_000, true, 'memory', false, 2)).toBe(1)
    expect(resolveWorkers('auto', 10_000, true, 'memory', false, 8)).toBe(1)
    expect(resolveWorkers('auto', 10_000, true, 'memory', false, 1)).toBe(0)
    expect(resolveWorkers('auto', 1_999, true, 'memory', true, 8)).toBe(0)
    expect(resolveWorkers('auto', 1_999, true, 'memory', false, 2)).toBe(0)
    expect(resolveWorkers('auto', 10_000, true, 'tcp', true, 8)).toBe(0)
    expect(resolveWorkers('auto', 10_000, true, 'tcp', false, 2)).toBe(0)
    expect(resolveWorkers('auto', 10_000, false, 'memory', true, 8)).toBe(0)
    expect(resolveWorkers('auto', 10_000, false, 'memory', false, 2)).toBe(0)
    expect(resolveWorkers(3, 10, false, undefined, false)).toBe(3)
  })

  it('the broker gets its own thread unless memory links run on two cores or fewer; a flag decides first', () => {
    expect(resolveBrokerThread(undefined, 'memory', 2)).toBe(false)
    expect(resolveBrokerThread(undefined, 'memory', 1)).toBe(false)
    expect(resolveBrokerThread(undefined, 'memory', 3)).toBe(true)
    expect(resolveBrokerThread(undefined, 'tcp', 2)).toBe(true)
    expect(resolveBrokerThread(undefined, undefined, 2)).toBe(true)
    expect(resolveBrokerThread(true, 'memory', 2)).toBe(true)
    expect(resolveBrokerThread(false, 'memory', 8)).toBe(false)
    // The defaults together: two cores, a large fleet on memory links: the broker on the main thread
    // and the devices in one worker; eight cores: a broker thread and six workers.
    expect(resolveWorkers('auto', 10_000, true, 'memory', resolveBrokerThread(undefined, 'memory', 2), 2)).toBe(1)
    expect(resolveWorkers('auto', 10_000, true, 'memory', resolveBrokerThread(undefined, 'memory', 8), 8)).toBe(6)
  })

  it("a clock anchored on another thread's clock reads the same time there, at its speed", async () => {
    const main = new RealClock({ speed: 10, epochMs: 1_767_225_600_000 })
    const anchor = main.anchor()
    const code = `
      const { parentPort, workerData } = require('node:worker_threads')
      const a = workerData
      const hires = performance.timeOrigin + performance.now()
      parentPort.postMessage({ reading: a.epochMs + (hires - a.hiresMs) * a.speed, hires })`
    const w = new Worker(code, { eval: true, workerData: anchor })
    const { reading, hires } = await new Promise<{ reading: number; hires: number }>((resolve) => w.once('message', resolve))
    const after = main.now()
    await w.terminate()
    // Hires epoch time is common to both threads: the worker's reading falls between the anchor and now.
    expect(reading).toBeGreaterThanOrEqual(anchor.epochMs)
    expect(reading).toBeLessThanOrEqual(after + 1)
    // The same construction here: a clock from the anchor, read now, agrees with the main clock.
    const shard = new RealClock({ anchor })
    expect(shard.speed).toBe(10)
    expect(Math.abs(shard.now() - main.now())).toBeLessThanOrEqual(1)
    expect(hires).toBeGreaterThan(anchor.hiresMs)
  })

  it("a fault log closes a record with one made by a shard's log, exactly as made", () => {
    const shardLog = new FaultLog()
    const mainLog = new FaultLog()
    const seen: FaultRecord[] = []
    mainLog.onRecord((r) => seen.push(r))
    shardLog.onStart((faultId, kind, deviceId, atMs, rootCauseId, params, source) => mainLog.start(faultId, kind, deviceId, atMs, params, source, rootCauseId))
    shardLog.onRecord((r) => mainLog.closeWith(r))
    shardLog.start('f1', 'disconnect', 'd-1', 1_000, { duration: 5 }, 'plan')
    expect(mainLog.activeByKind()).toEqual(new Map([['disconnect', 1]]))
    const made = shardLog.end('f1', 'd-1', 2_000)!
    expect(seen).toEqual([made])
    expect(mainLog.records).toEqual([made])
    expect(mainLog.activeByKind().size).toBe(0)
    expect(mainLog.isActive('f1', 'd-1')).toBe(false)
  })
})
