import { describe, expect, it } from 'vitest'
import { decodeSparkplug, encodeSparkplug, SPARKPLUG_DATATYPES, type SparkplugPayload } from '../../../../src/telemetry/codecs/sparkplug.js'
import { decodeOfficial, DT, encodeOfficial, int64, metricNamed } from '../../../fixtures/sparkplug/official-decoder.js'
import { expectFleetError } from '../../../helpers/expect-fleet-error.js'

const T0 = 1767225600000 // 2026-01-01T00:00:00Z

const sample: SparkplugPayload = {
  timestamp: T0,
  seq: 7,
  metrics: [
    { name: 'temperature', datatype: 'Double', value: 21.5, timestamp: T0 - 10 },
    { name: 'energy', datatype: 'Int64', value: 1234567890123, timestamp: T0 },
    { name: 'door/open', datatype: 'Boolean', value: true, timestamp: T0 },
    { name: 'Properties/FW', datatype: 'String', value: '1.2.0', timestamp: T0 },
  ],
}

const expectBadArgument = (fn: () => unknown, message: RegExp) => expectFleetError(fn, 'FLEET_ERR_CORE_BAD_ARGUMENT', message)

describe('encodeSparkplug, read back with the official sparkplug_b.proto', () => {
  it('writes payload timestamp and seq, and every metric with name, datatype, timestamp and value', () => {
    const p = decodeOfficial(encodeSparkplug(sample))
    expect(p.timestamp).toBe(String(T0))
    expect(p.seq).toBe('7')
    expect(p.metrics!.map((m) => m.name)).toEqual(['temperature', 'energy', 'door/open', 'Properties/FW'])
    expect(metricNamed(p, 'temperature')).toEqual({ name: 'temperature', timestamp: String(T0 - 10), datatype: DT.Double, doubleValue: 21.5 })
    expect(metricNamed(p, 'energy')).toEqual({ name: 'energy', timestamp: String(T0), datatype: DT.Int64, longValue: '1234567890123' })
    expect(metricNamed(p, 'door/open')).toEqual({ name: 'door/open', timestamp: String(T0), datatype: DT.Boolean, booleanValue: true })
    expect(metricNamed(p, 'Properties/FW')).toEqual({ name: 'Properties/FW', timestamp: String(T0), datatype: DT.String, stringValue: '1.2.0' })
  })

  it('keeps seq 0 on the wire (proto2 presence) and writes no seq when none is given (NDEATH)', () => {
    const withZero = decodeOfficial(encodeSparkplug({ timestamp: T0, seq: 0, metrics: [] }))
    expect(withZero.seq).toBe('0')
    const without = decodeOfficial(encodeSparkplug({ timestamp: T0, metrics: [{ name: 'bdSeq', datatype: 'Int64', value: 0 }] }))
    expect(Object.keys(without)).not.toContain('seq')
    expect(metricNamed(without, 'bdSeq')).toEqual({ name: 'bdSeq', datatype: DT.Int64, longValue: '0' })
  })

  it('writes Int64 as two’s complement in long_value, across the whole signed range', () => {
    const values = [-42n, -1n, 0n, 2n ** 53n + 1n, -(2n ** 63n), 2n ** 63n - 1n]
    const p = decodeOfficial(encodeSparkplug({ timestamp: T0, metrics: values.map((v, i) => ({ name: `v${i}`, datatype: 'Int64', value: v })) }))
    expect(p.metrics!.map((m) => int64(m.longValue))).toEqual(values)
    expect(metricNamed(p, 'v0').longValue).toBe('18446744073709551574')
  })

  it('writes null as is_null with no value field, and NaN as a double', () => {
    const p = decodeOfficial(
      encodeSparkplug({ timestamp: T0, metrics: [{ name: 'a', datatype: 'Double', value: null }, { name: 'b', datatype: 'Double', value: NaN }] }),
    )
    expect(metricNamed(p, 'a')).toEqual({ name: 'a', datatype: DT.Double, isNull: true })
    expect(metricNamed(p, 'b').doubleValue).toBeNaN()
  })

  it('marks store-and-forward metrics is_historical', () => {
    const p = decodeOfficial(encodeSparkplug({ timestamp: T0, seq: 1, metrics: [{ name: 'a', datatype: 'Double', value: 1, historical: true }] }))
    expect(metricNamed(p, 'a').isHistorical).toBe(true)
  })

  it('gives exactly the bytes the official schema gives for the same message', () => {
    const official = encodeOfficial({
      timestamp: T0,
      seq: 7,
      metrics: [
        { name: 'temperature', timestamp: T0 - 10, datatype: DT.Double, doubleValue: 21.5 },
        { name: 'energy', timestamp: T0, datatype: DT.Int64, longValue: 1234567890123 },
        { name: 'door/open', timestamp: T0, datatype: DT.Boolean, booleanValue: true },
        { name: 'Properties/FW', timestamp: T0, datatype: DT.String, stringValue: '1.2.0' },
      ],
    })
    expect(encodeSparkplug(sample).toString('hex')).toBe(official.toString('hex'))
  })

  it('is deterministic: same input, same bytes (pinned, so a change of wire format is seen)', () => {
    const small: SparkplugPayload = { timestamp: 1000, seq: 255, metrics: [{ name: 't', datatype: 'Double', value: 1.5, timestamp: 1000 }] }
    expect(encodeSparkplug(small).equals(encodeSparkplug(structuredClone(small)))).toBe(true)
    // 08 e807: timestamp 1000 · 12 11: metric (17 bytes): 0a 01 74 name "t", 18 e807 timestamp, 20 0a datatype 10,
    // 69 000000000000f83f double 1.5 · 18 ff01: seq 255
    expect(encodeSparkplug(small).toString('hex')).toBe('08e80712110a017418e807200a69000000000000f83f18ff01')
  })

  it('refuses values that do not fit their datatype, and out-of-range seq and timestamps', () => {
    const one = (datatype: 'Double' | 'Int64' | 'Boolean' | 'String', value: unknown) => () =>
      encodeSparkplug({ timestamp: T0, metrics: [{ name: 'x', datatype, value: value as never }] })
    expectBadArgument(one('Double', '21.5'), /"x" is Double but its value is string/)
    expectBadArgument(one('Int64', 1.5), /"x" is Int64/)
    expectBadArgument(one('Int64', 2n ** 63n), /"x" is Int64/)
    expectBadArgument(one('Int64', 2 ** 60), /"x" is Int64/)
    expectBadArgument(one('Boolean', 1), /"x" is Boolean/)
    expectBadArgument(one('String', 5), /"x" is String/)
    expectBadArgument(() => encodeSparkplug({ timestamp: T0, seq: 256, metrics: [] }), /seq must be an integer 0\.\.255, got 256/)
    expectBadArgument(() => encodeSparkplug({ timestamp: T0, seq: -1, metrics: [] }), /seq/)
    expectBadArgument(() => encodeSparkplug({ timestamp: -5, metrics: [] }), /timestamp must be a non-negative integer/)
    expectBadArgument(() => encodeSparkplug({ timestamp: T0, metrics: [{ name: 'x', datatype: 'Double', value: 1, timestamp: 1.5 }] }), /x\.timestamp/)
  })

  it('has the datatype ids of the official schema', () => {
    expect([SPARKPLUG_DATATYPES.Int64, SPARKPLUG_DATATYPES.Double, SPARKPLUG_DATATYPES.Boolean, SPARKPLUG_DATATYPES.String]).toEqual([
      DT.Int64,
      DT.Double,
      DT.Boolean,
      DT.String,
    ])
  })
})

describe('decodeSparkplug (what a host sends: NCMD/DCMD)', () => {
  it('reads a command encoded with the official schema', () => {
    const bytes = encodeOfficial({ timestamp: T0, metrics: [{ name: 'Node Control/Rebirth', timestamp: T0, datatype: DT.Boolean, booleanValue: true }] })
    const r = decodeSparkplug(bytes)
    expect(r).toEqual({
      ok: true,
      payload: {
        timestamp: T0,
        metrics: [{ name: 'Node Control/Rebirth', timestamp: T0, datatype: DT.Boolean, datatypeName: 'Boolean', isNull: false, isHistorical: false, value: true }],
      },
    })
  })

  it('reads each value as its datatype says: signed, unsigned, 64-bit as bigint when it does not fit a double', () => {
    const bytes = encodeOfficial({
      timestamp: T0,
      seq: 3,
      metrics: [
        { name: 'i32', datatype: DT.Int32, intValue: 0xffffffd6 }, // -42 as uint32 bits
        { name: 'u32-int', datatype: DT.UInt32, intValue: 0xffffffff },
        { name: 'u32-long', datatype: DT.UInt32, longValue: 4000000000 }, // Tahu's JavaScript library puts UInt32 here
        { name: 'i64', datatype: DT.Int64, longValue: '18446744073709551574' },
        { name: 'u64', datatype: DT.UInt64, longValue: '18446744073709551615' },
        { name: 'f', datatype: DT.Float, floatValue: 0.5 },
        { name: 's', datatype: DT.String, stringValue: 'x' },
        { name: 'null', datatype: DT.Double, isNull: true },
        { name: 'ds', datatype: DT.DataSet, datasetValue: { numOfColumns: 1, columns: ['a'], types: [DT.Int32], rows: [] } },
        { name: 'odd', datatype: 999, intValue: 1 },
      ],
    })
    const r = decodeSparkplug(bytes)
    if (!r.ok) throw new Error(r.reason)
    expect(r.payload.seq).toBe(3)
    const value = (name: string) => r.payload.metrics.find((m) => m.name === name)!.value
    expect(value('i32')).toBe(-42)
    expect(value('u32-int')).toBe(4294967295)
    expect(value('u32-long')).toBe(4000000000)
    expect(value('i64')).toBe(-42)
    expect(value('u64')).toBe(2n ** 64n - 1n)
    expect(value('f')).toBe(0.5)
    expect(value('s')).toBe('x')
    expect(value('null')).toBeNull()
    expect(value('ds')).toBeUndefined()
    expect(r.payload.metrics.find((m) => m.name === 'odd')!.datatypeName).toBe('Unknown')
  })

  it('round-trips what encodeSparkplug writes', () => {
    const r = decodeSparkplug(encodeSparkplug(sample))
    expect(r.ok && r.payload.metrics.map((m) => [m.name, m.datatypeName, m.value, m.timestamp])).toEqual([
      ['temperature', 'Double', 21.5, T0 - 10],
      ['energy', 'Int64', 1234567890123, T0],
      ['door/open', 'Boolean', true, T0],
      ['Properties/FW', 'String', '1.2.0', T0],
    ])
  })

  it('reports bytes that are not a Sparkplug payload as an outcome, not an exception', () => {
    expect(decodeSparkplug(Buffer.from('{"name":"reboot"}'))).toEqual({ ok: false, reason: expect.stringMatching(/^not a Sparkplug B payload: /) })
    expect(decodeSparkplug(Buffer.from([0x12, 0x10, 0x0a]))).toMatchObject({ ok: false })
    // An empty buffer is a valid, empty protobuf message.
    expect(decodeSparkplug(Buffer.alloc(0))).toEqual({ ok: true, payload: { metrics: [] } })
  })
})
