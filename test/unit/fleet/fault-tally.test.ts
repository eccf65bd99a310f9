import { describe, expect, it } from 'vitest'
import type { FaultRecord } from '../../../src/faults/fault-log.js'
import { FaultTally } from '../../../src/fleet/fault-tally.js'

const T0 = Date.UTC(2026, 0, 1)

function record(faultId: string, deviceId: string, startS: number, endS: number, extra: Partial<FaultRecord> = {}): FaultRecord {
  return {
    fault_id: faultId,
    kind: faultId.split('-')[0]!,
    device_id: deviceId,
    start_ms: T0 + startS * 1000,
    end_ms: T0 + endS * 1000,
    start: new Date(T0 + startS * 1000).toISOString(),
    end: new Date(T0 + endS * 1000).toISOString(),
    params: {},
    root_cause_id: null,
    truncated: false,
    source: 'plan',
    ...extra,
  }
}

/** The summary's and the report's fault figures, counted as records close. */
describe('FaultTally', () => {
  it('counts devices and truncated records per fault, and one occurrence per window (shards a few ms apart merge)', () => {
    const t = new FaultTally(T0)
    t.add(record('disconnect-storm', 'd1', 10, 20))
    t.add(record('disconnect-storm', 'd2', 10.004, 20.5)) // another shard applied it 4 ms later
    t.add(record('restart-broker', 'd1', 30, 35))
    t.add(record('restart-broker', 'd2', 30, 40, { truncated: true }))
    t.add(record('disconnect-storm', 'd1', 50, 55)) // the id again, after it ended: another occurrence
    t.add(record('disconnect-storm/link-dropout', 'd3', 10, 12, { root_cause_id: 'disconnect-storm' })) // an effect, not a fault
    expect(t.summary()).toEqual([
      { faultId: 'disconnect-storm', kind: 'disconnect', devices: 3, truncated: 0 },
      { faultId: 'restart-broker', kind: 'restart', devices: 2, truncated: 1 },
    ])
    expect(t.timeline()).toEqual([
      { faultId: 'disconnect-storm', kind: 'disconnect', startMs: 10_000, endMs: 20_500, devices: 2 },
      { faultId: 'restart-broker', kind: 'restart', startMs: 30_000, endMs: 40_000, devices: 2 },
      { faultId: 'disconnect-storm', kind: 'disconnect', startMs: 50_000, endMs: 55_000, devices: 1 },
    ])
  })

  it('hands out copies: what it returns cannot change its counts', () => {
    const t = new FaultTally(T0)
    t.add(record('disconnect-x', 'd1', 1, 2))
    t.summary()[0]!.devices = 99
    t.timeline()[0]!.devices = 99
    expect(t.summary()[0]!.devices).toBe(1)
    expect(t.timeline()[0]!.devices).toBe(1)
  })
})
