import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { startFleet, type Fleet, type FaultRecord } from '../../src/index.js'
import { expectFleetError } from '../helpers/expect-fleet-error.js'

/**
 * Device shards in worker threads (`deviceWorkers`): the devices run in two workers, the broker in
 * its own thread or on this one, and this thread keeps the counts, the delivery probe, the fault log
 * and the report. The run must measure exactly what a one-thread run measures.
 */
describe('device shards in worker threads', () => {
  let fleet: Fleet | undefined
  afterEach(async () => {
    await fleet?.stop()
    fleet = undefined
  })

  // The broker in its own thread (the library's default with shards), or on this thread beside the
  // measurements (two cores: `fleet-emu run --workers 1 --no-broker-thread`).
  it.each([
    { brokerThread: true, where: 'in its own thread' },
    { brokerThread: false, where: 'on the main thread' },
  ])('a soak in miniature over two shards, the broker $where: one broker restart for both, every message accounted for, everyone back', async ({ brokerThread, where }) => {
    const out = mkdtempSync(join(tmpdir(), 'fleet-emu-shards-'))
    fleet = await startFleet('test/fixtures/integration/soak.fleet.yaml', { brokerPort: 0, metricsPort: false, outDir: out, reportIntervalMs: 250, deviceWorkers: 2, brokerThread })
    expect(fleet.linkKind).toBe('memory')
    expect(fleet.threads).toBe(`devices in 2 worker threads; broker ${where}`)
    const summary = await fleet.run()
    const report = fleet.report!
    const s = report.slis
    expect(fleet.failure).toBeUndefined()
    expect(summary.status).toBe('complete')
    expect(summary.devices).toBe(40)
    // Both shards' devices were knocked off and measured back. A reconnect is measured only for a
    // device a fault found online, and under a loaded suite the shards may still be bringing devices up
    // at 2 s; so the least we must see comes from the timeline: the storm's 20 (of 40) include at least
    // 20 − (40 − online just before it), and the restart every device online just before it — also
    // those of the shard that applies the restart after the other shard took the broker down (their
    // drops reach this thread before their fault start; the recorder counts them as the fault's).
    const onlineBefore = (fromMs: number, atMs: number) => report.timeline.points.filter((p) => p.tMs > fromMs && p.tMs < atMs).at(-1)?.online ?? 0
    const knockedAtLeast = Math.max(0, 20 - (40 - onlineBefore(0, 2_000))) + onlineBefore(3_000, 4_000)
    expect(knockedAtLeast).toBeGreaterThanOrEqual(20) // the bound itself says something
    expect(s.reconnects).toBeGreaterThanOrEqual(knockedAtLeast)
    expect(s.not_reconnected).toBe(0)
    expect(s.online_at_end_rate).toBe(1)
    // Publish notices from the shards and deliveries from the broker meet in the probe.
    expect(s.messages_published).toBeGreaterThan(1500)
    expect(s.messages_published).toBe(summary.messages.published)
    expect(s.unexplained_loss).toBe(0)
    expect(s.unexplained_duplicates).toBe(0)
    expect(s.messages_delivered! + s.loss!).toBe(s.messages_published)
    expect(s.latency_p50).toBeGreaterThan(0)
    // The fault log is whole: each shard logged its own devices, this thread has them all.
    expect(report.faults.map((f) => [f.faultId, f.kind, f.devices])).toEqual([
      ['storm', 'disconnect', 20],
      ['restart', 'broker-restart', 40],
    ])
    const restart = fleet.faultLog.filter((r) => r.fault_id === 'restart')
    expect(new Set(restart.map((r) => r.device_id)).size).toBe(40)
    const onDisk = readFileSync(join(out, 'faults.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as FaultRecord)
    expect(onDisk.length).toBe(fleet.faultLog.length)
    // One restart, not one per shard: the broker went down once, so everyone was offline at once.
    const during = report.timeline.points.filter((p) => p.tMs >= 4_000 && p.tMs <= 5_000)
    expect(Math.min(...during.map((p) => p.online))).toBeLessThan(40)
    expect(s.connect_success_rate).toBeGreaterThan(0.5)
    expect(summary.finalStates.connectivity).toEqual({ stopped: 40 })
    // Shards count their samples in batches; at the end every one is counted (QoS 1 + offline buffer: each became a message).
    expect(summary.messages.samples).toBe(summary.messages.published + summary.messages.droppedOffline)
    expect(report.verdict).toBe('pass')
  })

  it('runtime faults reach the shards; per-device views say they need the devices in this thread', async () => {
    fleet = await startFleet('test/fixtures/integration/fast.fleet.yaml', { seed: 3, brokerPort: 0, metricsPort: false, deviceWorkers: 2 })
    await fleet.waitFor((f) => f.count({ connectivity: 'online' }) === 60, { timeoutMs: 15_000 })
    expect(fleet.count()).toBe(60)
    const { faultId, deviceIds } = fleet.inject({ kind: 'disconnect', target: { count: 4 }, durationMs: 400 })
    await fleet.waitFor(() => fleet!.faultLog.filter((r) => r.fault_id === faultId).length === 4, { timeoutMs: 10_000 })
    expect(fleet.faultLog.filter((r) => r.fault_id === faultId).map((r) => r.device_id).sort()).toEqual([...deviceIds].sort())
    await fleet.waitFor((f) => f.count({ connectivity: 'online' }) === 60, { timeoutMs: 15_000 })
    expect(Object.values(fleet.stats.disconnects).reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(4)
    expectFleetError(() => fleet!.device(deviceIds[0]!), 'FLEET_ERR_FLEET_STATE', /device workers/)
    expectFleetError(() => fleet!.list(), 'FLEET_ERR_FLEET_STATE', /device workers/)
    const summary = await fleet.stop()
    expect(summary.status).toBe('stopped')
    expect(summary.finalStates.connectivity).toEqual({ stopped: 60 })
  })

  it('refuses device workers with an external broker', async () => {
    await expect(startFleet('test/fixtures/integration/fast.fleet.yaml', { brokerUrl: 'mqtt://127.0.0.1:1', metricsPort: false, deviceWorkers: 2 })).rejects.toMatchObject({ code: 'FLEET_ERR_FLEET_STATE' })
  })
})
