import protobuf from 'protobufjs/light.js'
import { errors } from '../../core/index.js'

/**
 * Sparkplug B datatype ids: the comment block of the official `sparkplug_b.proto` (Eclipse Tahu)
 * and the Sparkplug 3.0 array types.
 */
export const SPARKPLUG_DATATYPES = {
  Unknown: 0,
  Int8: 1,
  Int16: 2,
  Int32: 3,
  Int64: 4,
  UInt8: 5,
  UInt16: 6,
  UInt32: 7,
  UInt64: 8,
  Float: 9,
  Double: 10,
  Boolean: 11,
  String: 12,
  DateTime: 13,
  Text: 14,
  UUID: 15,
  DataSet: 16,
  Bytes: 17,
  File: 18,
  Template: 19,
  PropertySet: 20,
  PropertySetList: 21,
  Int8Array: 22,
  Int16Array: 23,
  Int32Array: 24,
  Int64Array: 25,
  UInt8Array: 26,
  UInt16Array: 27,
  UInt32Array: 28,
  UInt64Array: 29,
  FloatArray: 30,
  DoubleArray: 31,
  BooleanArray: 32,
  StringArray: 33,
  DateTimeArray: 34,
} as const

export type SparkplugDataTypeName = keyof typeof SPARKPLUG_DATATYPES

/** The datatypes this codec writes. Readings are Double; counters Int64; switches Boolean; labels String. */
export type SparkplugDataType = 'Double' | 'Int64' | 'Boolean' | 'String'

/** One metric to encode. `null` is written as `is_null` with no value (a sensor that reports nothing). */
export interface SparkplugMetric {
  name: string
  datatype: SparkplugDataType
  value: number | bigint | boolean | string | null
  /** Epoch ms; omitted from the metric when absent. */
  timestamp?: number
  /** Sent late (store-and-forward): hosts record it without updating the live value. */
  historical?: boolean
}

export interface SparkplugPayload {
  /** Epoch ms of the message. */
  timestamp: number
  /** 0..255; absent only in NDEATH (and in host-to-node NCMD/DCMD). */
  seq?: number
  metrics: readonly SparkplugMetric[]
}

/** A metric as read back from a payload (what a host sent in NCMD/DCMD, or what a test checks). */
export interface DecodedSparkplugMetric {
  name?: string
  alias?: number | bigint
  timestamp?: number
  /** The raw datatype id; `datatypeName` is its name (`Unknown` for ids this table does not know). */
  datatype?: number
  datatypeName: SparkplugDataTypeName
  isNull: boolean
  isHistorical: boolean
  /**
   * The value as the datatype says to read it: signed for Int8–Int64, unsigned for UInt*, a number when
   * it fits in a double exactly and a bigint when it does not. `undefined` for DataSet, Template and
   * property sets, which this codec does not read.
   */
  value: number | bigint | boolean | string | Uint8Array | null | undefined
}

export interface DecodedSparkplugPayload {
  timestamp?: number
  seq?: number
  metrics: DecodedSparkplugMetric[]
}

export type SparkplugDecodeResult = { ok: true; payload: DecodedSparkplugPayload } | { ok: false; reason: string }

// The wire schema: the parts of `org.eclipse.tahu.protobuf.Payload` (sparkplug_b.proto, proto2) that
// this emulator writes or reads. Field ids and types are the official ones; DataSet, Template,
// PropertySet and MetaData are left out, so a payload carrying them still decodes (protobuf skips
// unknown fields) and those values read as `undefined`. Tests decode our bytes with the full official
// .proto, so a wrong id here fails them.
const VALUE_FIELDS = ['intValue', 'longValue', 'floatValue', 'doubleValue', 'booleanValue', 'stringValue', 'bytesValue'] as const
const root = protobuf.Root.fromJSON({
  nested: {
    Payload: {
      // sparkplug_b.proto is proto2: explicit presence, so a seq of 0 is still written (JSON
      // descriptors otherwise default to proto3, which drops zero values).
      edition: 'proto2',
      fields: {
        timestamp: { type: 'uint64', id: 1 },
        metrics: { rule: 'repeated', type: 'Metric', id: 2 },
        seq: { type: 'uint64', id: 3 },
        uuid: { type: 'string', id: 4 },
        body: { type: 'bytes', id: 5 },
      },
      nested: {
        Metric: {
          oneofs: { value: { oneof: [...VALUE_FIELDS] } },
          fields: {
            name: { type: 'string', id: 1 },
            alias: { type: 'uint64', id: 2 },
            timestamp: { type: 'uint64', id: 3 },
            datatype: { type: 'uint32', id: 4 },
            isHistorical: { type: 'bool', id: 5 },
            isTransient: { type: 'bool', id: 6 },
            isNull: { type: 'bool', id: 7 },
            intValue: { type: 'uint32', id: 10 },
            longValue: { type: 'uint64', id: 11 },
            floatValue: { type: 'float', id: 12 },
            doubleValue: { type: 'double', id: 13 },
            booleanValue: { type: 'bool', id: 14 },
            stringValue: { type: 'string', id: 15 },
            bytesValue: { type: 'bytes', id: 16 },
          },
        },
      },
    },
  },
})
const PayloadType = root.lookupType('Payload')

/**
 * Encodes a Sparkplug B payload. The same input gives the same bytes: fields are written in field-id
 * order and metrics in the order given.
 *
 * @example
 * encodeSparkplug({ timestamp: 1767225600000, seq: 2, metrics: [
 *   { name: 'temperature', datatype: 'Double', value: 21.5, timestamp: 1767225600000 },
 * ] })
 */
export function encodeSparkplug(payload: SparkplugPayload): Buffer {
  const message: Record<string, unknown> = { timestamp: uint64(payload.timestamp, 'timestamp'), metrics: payload.metrics.map(encodeMetric) }
  if (payload.seq !== undefined) {
    if (!Number.isInteger(payload.seq) || payload.seq < 0 || payload.seq > 255) {
      throw errors.badArgument(`Sparkplug seq must be an integer 0..255, got ${payload.seq}`)
    }
    message.seq = payload.seq
  }
  const bytes = PayloadType.encode(message).finish()
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
}

function encodeMetric(m: SparkplugMetric): Record<string, unknown> {
  const out: Record<string, unknown> = { name: m.name, datatype: SPARKPLUG_DATATYPES[m.datatype] }
  if (m.timestamp !== undefined) out.timestamp = uint64(m.timestamp, `${m.name}.timestamp`)
  if (m.historical) out.isHistorical = true
  if (m.value === null) {
    out.isNull = true
    return out
  }
  const wrong = () => errors.badArgument(`Sparkplug metric "${m.name}" is ${m.datatype} but its value is ${typeof m.value} ${String(m.value)}`)
  switch (m.datatype) {
    case 'Double':
      if (typeof m.value !== 'number') throw wrong()
      out.doubleValue = m.value
      break
    case 'Int64': {
      if (typeof m.value !== 'bigint' && !(typeof m.value === 'number' && Number.isSafeInteger(m.value))) throw wrong()
      const v = BigInt(m.value)
      if (v < -(2n ** 63n) || v >= 2n ** 63n) throw wrong()
      // Sparkplug carries Int64 in the uint64 long_value: the two's complement bits, given to
      // protobufjs as 32-bit halves (it takes {low, high} without needing the long package).
      const bits = BigInt.asUintN(64, v)
      out.longValue = { low: Number(bits & 0xffffffffn), high: Number(bits >> 32n), unsigned: true }
      break
    }
    case 'Boolean':
      if (typeof m.value !== 'boolean') throw wrong()
      out.booleanValue = m.value
      break
    case 'String':
      if (typeof m.value !== 'string') throw wrong()
      out.stringValue = m.value
      break
  }
  return out
}

function uint64(ms: number, what: string): number {
  if (!Number.isSafeInteger(ms) || ms < 0) throw errors.badArgument(`Sparkplug ${what} must be a non-negative integer (epoch ms), got ${ms}`)
  return ms
}

/**
 * Decodes a Sparkplug B payload (an NCMD or DCMD from a host, or anything else on `spBv1.0/…`).
 * Bad bytes are an outcome, not an exception: `{ ok: false, reason }`.
 */
export function decodeSparkplug(bytes: Uint8Array): SparkplugDecodeResult {
  let raw: RawPayload
  try {
    raw = PayloadType.toObject(PayloadType.decode(bytes), { longs: String }) as RawPayload
  } catch (e) {
    return { ok: false, reason: `not a Sparkplug B payload: ${e instanceof Error ? e.message : String(e)}` }
  }
  const payload: DecodedSparkplugPayload = { metrics: (raw.metrics ?? []).map(decodeMetric) }
  if (raw.timestamp !== undefined) payload.timestamp = Number(raw.timestamp)
  if (raw.seq !== undefined) payload.seq = Number(raw.seq)
  return { ok: true, payload }
}

interface RawMetric {
  name?: string
  alias?: string
  timestamp?: string
  datatype?: number
  isNull?: boolean
  isHistorical?: boolean
  intValue?: number
  longValue?: string
  floatValue?: number
  doubleValue?: number
  booleanValue?: boolean
  stringValue?: string
  bytesValue?: Uint8Array
}

interface RawPayload {
  timestamp?: string
  seq?: string
  metrics?: RawMetric[]
}

const NAMES_BY_ID = new Map<number, SparkplugDataTypeName>(Object.entries(SPARKPLUG_DATATYPES).map(([k, v]) => [v, k as SparkplugDataTypeName]))

function decodeMetric(raw: RawMetric): DecodedSparkplugMetric {
  const datatypeName = (raw.datatype !== undefined && NAMES_BY_ID.get(raw.datatype)) || 'Unknown'
  const m: DecodedSparkplugMetric = { datatypeName, isNull: raw.isNull === true, isHistorical: raw.isHistorical === true, value: undefined }
  if (raw.name !== undefined) m.name = raw.name
  if (raw.alias !== undefined) m.alias = exact(BigInt(raw.alias))
  if (raw.timestamp !== undefined) m.timestamp = Number(raw.timestamp)
  if (raw.datatype !== undefined) m.datatype = raw.datatype
  m.value = m.isNull ? null : readValue(raw, datatypeName)
  return m
}

/**
 * Reads whichever value field is set, as the datatype says. Lenient about which field carries a type
 * (Tahu's JavaScript library writes UInt32 in long_value, the 3.0 spec in int_value).
 */
function readValue(raw: RawMetric, type: SparkplugDataTypeName): DecodedSparkplugMetric['value'] {
  if (raw.intValue !== undefined) {
    if (type === 'Int8') return (raw.intValue << 24) >> 24
    if (type === 'Int16') return (raw.intValue << 16) >> 16
    if (type === 'Int32' || type === 'Int64') return raw.intValue | 0
    return raw.intValue >>> 0
  }
  if (raw.longValue !== undefined) {
    const bits = BigInt(raw.longValue)
    return exact(type === 'Int64' || type === 'Int32' || type === 'Int16' || type === 'Int8' ? BigInt.asIntN(64, bits) : bits)
  }
  if (raw.floatValue !== undefined) return raw.floatValue
  if (raw.doubleValue !== undefined) return raw.doubleValue
  if (raw.booleanValue !== undefined) return raw.booleanValue
  if (raw.stringValue !== undefined) return raw.stringValue
  if (raw.bytesValue !== undefined) return raw.bytesValue
  return undefined
}

function exact(v: bigint): number | bigint {
  return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v
}
