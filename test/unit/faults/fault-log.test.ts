import { describe, expect, it, vi } from 'vitest'
import { FaultLog, type FaultRecord } from '../../../src/faults/fault-log.js'

const T0 = Date.UTC(2026, 0, 1)

describe('FaultLog', () => {
  it('start then end gives one closed record with exact times, ISO strings, params and source', () => {
    const log = new FaultLog()
    log.start('disconnect-at-20s', 'disconnect', 'th-1', T0 + 20_000, { duration: 15_000, mode: 'unclean' }, 'plan')
    expect(log.records).toEqual([])
    expect(log.isActive('disconnect-at-20s', 'th-1')).toBe(true)
    const r = log.end('disconnect-at-20s', 'th-1', T0 + 35_000)
    const expected: FaultRecord = {
      fault_id: 'disconnect-at-20s',
      kind: 'disconnect',
      device_id: 'th-1',
      start_ms: T0 + 20_000,
      end_ms: T0 + 35_000,
      start: '2026-01-01T00:00:20.000Z',
      end: '2026-01-01T00:00:35.000Z',
      params: { duration: 15_000, mode: 'unclean' },
      root_cause_id: null,
      truncated: false,
      source: 'plan',
    }
    expect(r).toEqual(expected)
    expect(log.records).toEqual([expected])
    expect(log.isActive('disconnect-at-20s', 'th-1')).toBe(false)
  })

  it('a propagated effect carries its root cause, in the record and to start listeners; activeByKind counts only faults', () => {
    const log = new FaultLog()
    const started = vi.fn()
    log.onStart(started)
    log.start('south-outage', 'regional-outage', 's-1', T0, { duration: 60_000 }, 'plan')
    log.start('south-outage/link-dropout', 'link-dropout', 's-1', T0 + 5, {}, 'plan', 'south-outage')
    expect(started.mock.calls).toEqual([
      ['south-outage', 'regional-outage', 's-1', T0, null, { duration: 60_000 }, 'plan'],
      ['south-outage/link-dropout', 'link-dropout', 's-1', T0 + 5, 'south-outage', {}, 'plan'],
    ])
    expect(log.activeByKind()).toEqual(new Map([['regional-outage', 1]]))
    expect(log.openEffects).toBe(1)
    expect([...log.activeOn('s-1').keys()]).toEqual(['south-outage', 'south-outage/link-dropout'])
    log.end('south-outage', 's-1', T0 + 60_000)
    log.end('south-outage/link-dropout', 's-1', T0 + 71_000)
    expect(log.records.map((r) => [r.fault_id, r.root_cause_id, r.end_ms - T0])).toEqual([
      ['south-outage', null, 60_000],
      ['south-outage/link-dropout', 'south-outage', 71_000],
    ])
  })

  it('end of a record that is not open returns undefined and records nothing', () => {
    const log = new FaultLog()
    expect(log.end('nope', 'th-1', T0)).toBeUndefined()
    log.start('f', 'k', 'th-1', T0, {}, 'runtime')
    log.end('f', 'th-1', T0 + 1)
    expect(log.end('f', 'th-1', T0 + 2)).toBeUndefined()
    expect(log.records).toHaveLength(1)
  })

  it('keeps one open record per (fault, device)', () => {
    const log = new FaultLog()
    log.start('f', 'k', 'a', T0, {}, 'plan')
    log.start('f', 'k', 'b', T0 + 1, {}, 'plan')
    log.start('g', 'k', 'a', T0 + 2, {}, 'plan')
    log.end('f', 'b', T0 + 10)
    expect(log.records.map((r) => [r.fault_id, r.device_id])).toEqual([['f', 'b']])
    expect(log.isActive('f', 'a')).toBe(true)
    expect(log.isActive('g', 'a')).toBe(true)
  })

  it('closeAll closes every open record at the given time, marked truncated', () => {
    const log = new FaultLog()
    log.start('f', 'disconnect', 'a', T0, {}, 'plan')
    log.start('f', 'disconnect', 'b', T0, {}, 'plan')
    log.start('g.1-x', 'telemetry.spike', 'a', T0 + 5, {}, 'runtime')
    log.end('f', 'a', T0 + 7)
    log.closeAll(T0 + 100)
    expect(log.records.map((r) => [r.fault_id, r.device_id, r.end_ms, r.truncated])).toEqual([
      ['f', 'a', T0 + 7, false],
      ['f', 'b', T0 + 100, true],
      ['g.1-x', 'a', T0 + 100, true],
    ])
    expect(log.activeByKind().size).toBe(0)
    log.closeAll(T0 + 200)
    expect(log.records).toHaveLength(3)
  })

  it('activeByKind counts open (device, fault) pairs by kind', () => {
    const log = new FaultLog()
    log.start('f1', 'disconnect', 'a', T0, {}, 'plan')
    log.start('f1', 'disconnect', 'b', T0, {}, 'plan')
    log.start('f2', 'disconnect', 'a', T0, {}, 'plan')
    log.start('f3', 'loss', 'c', T0, {}, 'plan')
    expect(log.activeByKind()).toEqual(new Map([['disconnect', 3], ['loss', 1]]))
    log.end('f1', 'a', T0 + 1)
    expect(log.activeByKind().get('disconnect')).toBe(2)
  })

  it('onRecord listeners hear each record as it closes, truncated ones included', () => {
    const log = new FaultLog()
    const a = vi.fn()
    const b = vi.fn()
    log.onRecord(a)
    log.onRecord(b)
    log.start('f', 'k', 'x', T0, {}, 'plan')
    log.start('f', 'k', 'y', T0, {}, 'plan')
    expect(a).not.toHaveBeenCalled()
    log.end('f', 'x', T0 + 1)
    log.closeAll(T0 + 2)
    expect(a.mock.calls.map(([r]) => [(r as FaultRecord).device_id, (r as FaultRecord).truncated])).toEqual([
      ['x', false],
      ['y', true],
    ])
    expect(b).toHaveBeenCalledTimes(2)
  })

  it('retain: false tells the listeners and keeps nothing; active faults are still known', () => {
    const log = new FaultLog({ retain: false })
    const heard: string[] = []
    log.onRecord((r) => heard.push(`${r.fault_id}:${r.device_id}`))
    log.start('a', 'disconnect', 'd1', T0, {}, 'plan')
    log.start('b', 'latency', 'd1', T0, {}, 'plan')
    expect([...log.activeOn('d1').keys()]).toEqual(['a', 'b'])
    log.end('a', 'd1', T0 + 10)
    log.closeWith({ ...log.end('b', 'd1', T0 + 20)!, device_id: 'd2' })
    expect(heard).toEqual(['a:d1', 'b:d1', 'b:d2'])
    expect(log.records).toEqual([])
    expect(log.activeOn('d1').size).toBe(0)
    log.start('c', 'disconnect', 'd1', T0 + 30, {}, 'plan')
    expect([...log.activeOn('d1').keys()]).toEqual(['c'])
  })
})
