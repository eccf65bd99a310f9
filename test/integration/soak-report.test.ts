import { existsSync, mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { startFleet, type Fleet, type RunReport } from '../../src/index.js'

/**
 * A soak run in miniature against the real embedded broker over TCP: QoS 1 telemetry through a
 * disconnect storm and a broker restart. The delivery probe must account for every message, every
 * knocked-off device must be measured back online, and the report must show it.
 */
describe('soak measurements on a real broker', () => {
  let fleet: Fleet | undefined
  afterEach(async () => {
    await fleet?.stop()
    fleet = undefined
  })

  it('QoS 1 through a disconnect storm and a broker restart: no unexplained loss, everyone back, report written', async () => {
    const out = mkdtempSync(join(tmpdir(), 'fleet-emu-soak-'))
    fleet = await startFleet('test/fixtures/integration/soak.fleet.yaml', { brokerPort: 0, metricsPort: false, outDir: out, reportIntervalMs: 250 })
    const summary = await fleet.run()
    const report = fleet.report!
    const s = report.slis
    expect(summary.status).toBe('complete')
    // Both faults knocked devices offline: 20 in the storm, all 40 in the restart — each measured back.
    expect(s.reconnects).toBeGreaterThanOrEqual(60)
    expect(s.not_reconnected).toBe(0)
    expect(s.reconnect_p95).not.toBeNull()
    expect(s.online_at_end_rate).toBe(1)
    // Every message published was delivered (QoS 1 + offline buffer), and the probe saw them all.
    expect(s.messages_published).toBeGreaterThan(1500)
    expect(s.unexplained_loss).toBe(0)
    expect(s.unexplained_duplicates).toBe(0)
    expect(s.messages_delivered! + s.loss!).toBe(s.messages_published)
    expect(s.messages_published).toBe(summary.messages.published)
    expect(s.latency_p50).toBeGreaterThan(0)
    expect(s.latency_p99!).toBeGreaterThanOrEqual(s.latency_p50!)
    // The timeline shows the restart: the online count drops well below 40 around 4 s and recovers.
    const pts = report.timeline.points
    const during = pts.filter((p) => p.tMs >= 4_000 && p.tMs <= 5_000)
    expect(Math.min(...during.map((p) => p.online))).toBeLessThan(40)
    expect(pts.at(-1)!.online).toBe(40)
    expect(pts.every((p) => p.rssBytes > 0)).toBe(true)
    // The fault overlay: both occurrences, at their planned times.
    expect(report.faults.map((f) => [f.faultId, f.kind, f.devices])).toEqual([
      ['storm', 'disconnect', 20],
      ['restart', 'broker-restart', 40],
    ])
    // The run clock reads whole ms (floored), so the start and the fault may be 1 ms closer than planned.
    expect(report.faults[0]!.startMs).toBeGreaterThanOrEqual(1_999)
    expect(report.verdict).toBe('pass')
    expect(report.thresholds.map((t) => t.sli)).toEqual(['connect_success_rate', 'unexplained_loss', 'unexplained_duplicates', 'not_reconnected', 'reconnect_p95', 'latency_p99'])
    // On disk: report.json equal to the in-memory report, and the HTML beside it.
    const onDisk = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as RunReport
    expect(onDisk.slis).toEqual(JSON.parse(JSON.stringify(s)))
    expect(existsSync(join(out, 'report.html'))).toBe(true)
    expect(summary.verdict).toBe('pass')
  })

  it('message faults show up as explained duplicates and reordering; /metrics exposes the probe', async () => {
    fleet = await startFleet('test/fixtures/integration/soak.fleet.yaml', { brokerPort: 0, metricsPort: false, durationMs: 60_000 })
    const n = fleet.size
    await fleet.waitFor((f) => f.count({ connectivity: 'online' }) === n, { timeoutMs: 10_000 })
    fleet.inject({ kind: 'telemetry.duplicate', target: { count: 5 }, durationMs: 1_500, rate: 1 })
    fleet.inject({ kind: 'telemetry.out-of-order', target: { count: 5 }, durationMs: 1_500, rate: 0.5 })
    const probe = fleet.measurements!.probe
    await fleet.waitFor(() => probe.counts.duplicates >= 10 && probe.counts.reordered >= 3, { timeoutMs: 8_000 })
    const metrics = await fleet.metrics.text()
    expect(metrics).toMatch(/^fleet_message_duplicates_total\{[^}]*explained="true"[^}]*\} [1-9]/m)
    expect(metrics).toMatch(/^fleet_message_latency_seconds_count\{[^}]*profile="soak-sensor"[^}]*\} [1-9]/m)
    await fleet.stop()
    const s = fleet.report!.slis
    expect(s.duplicates).toBeGreaterThanOrEqual(10)
    expect(s.unexplained_duplicates).toBe(0)
    expect(s.reordered).toBeGreaterThanOrEqual(3)
    expect(s.unexplained_reordered).toBe(0)
    expect(s.unexplained_loss).toBe(0)
  })
})
