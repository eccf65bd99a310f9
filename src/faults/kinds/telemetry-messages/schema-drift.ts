import { z } from 'zod'
import { encodeJson, type TelemetrySample } from '../../../telemetry/index.js'
import type { SparkplugMetric } from '../../../telemetry/codecs/sparkplug.js'
import { positiveDurationMs } from '../../../spec/index.js'
import type { FaultKind } from '../../fault-kind.js'
import { entrySchema } from '../envelope.js'
import { editSparkplug, markMessage } from './message-fault.js'

const fieldName = z.string().regex(/^[\w.-]+$/, { message: 'use letters, digits, "_", "." and "-" only' })

const schema = entrySchema(
  'telemetry.schema-drift',
  {
    /** `rename`: the field is sent under `to`; `missing`: it is left out; `wrong-type`: a number is sent as a string. */
    mode: z.enum(['rename', 'missing', 'wrong-type']),
    /** A sensor name, or `ts`, `seq`, `battery`. */
    field: fieldName,
    /** With `rename`: the new name. */
    to: fieldName.optional(),
    /** No duration: the regression lasts until the run ends. */
    duration: positiveDurationMs.optional(),
  },
  { durationRequired: false },
).superRefine((e, ctx) => {
  if (e.mode === 'rename' && e.to === undefined) {
    ctx.addIssue({ code: 'custom', path: ['to'], message: 'mode rename needs "to", the new field name', params: { hint: `e.g. to: ${e.field === 'ts' ? 'timestamp' : `${e.field}_c`}` } })
  }
  if (e.mode !== 'rename' && e.to !== undefined) {
    ctx.addIssue({ code: 'custom', path: ['to'], message: `"to" only applies to mode rename (mode is ${e.mode})`, params: { hint: 'remove to, or use mode: rename' } })
  }
  if (e.to !== undefined && e.to === e.field) {
    ctx.addIssue({ code: 'custom', path: ['to'], message: `renames "${e.field}" to itself`, params: { hint: 'give a different name' } })
  }
})

type Entry = z.output<typeof schema>

/**
 * A firmware regression changes the payload's schema: a field is renamed, goes missing, or a number
 * arrives as a string (`"21.5"`). Without `duration` it persists until the run ends, like a bad
 * release that nobody rolls back. Messages without the field (or, for `wrong-type`, with a null or
 * non-numeric value) are sent unchanged and are not labelled. On Sparkplug devices the field is a
 * DDATA metric (a sensor, or `battery`): renamed, left out, or sent as a String metric; `ts`, `seq`
 * and `fw` are not metrics there, so those messages go unchanged.
 */
export const telemetrySchemaDrift: FaultKind<Entry> = {
  kind: 'telemetry.schema-drift',
  group: 'telemetry',
  summary: 'payload schema changes: a field renamed, missing, or a number sent as a string',
  example: { kind: 'telemetry.schema-drift', at: '1m', target: { fraction: 0.1 }, mode: 'rename', field: 'temperature', to: 'temp' },
  entrySchema: schema,
  apply(device, entry, ctx) {
    const sparkplug = device.telemetryConvention === 'sparkplug'
    device.attachOutboundFault({
      faultId: ctx.faultId,
      kind: 'telemetry.schema-drift',
      process(msg, emit) {
        if (sparkplug) {
          // Bytes an earlier fault breaks have no metrics left to drift: leave them.
          if (msg.sparkplug?.bytes === undefined && driftsMetric(msg.fields, entry)) {
            editSparkplug(msg, { metrics: (metrics) => driftMetrics(metrics, entry) })
            markMessage(msg, ctx.faultId)
          }
        } else if (msg.payload === undefined) {
          // A payload some earlier fault already replaced is not the fields' encoding: leave it.
          const drifted = encodeDrifted(msg.fields, entry)
          if (drifted) {
            msg.payload = drifted
            markMessage(msg, ctx.faultId)
          }
        }
        emit(msg)
      },
    })
    return () => device.detachOutboundFault(ctx.faultId)
  },
}

/**
 * The JSON codec's payload (`encodeJson`) with one field drifted; undefined when the message has
 * nothing to drift. It edits the codec's output rather than re-encoding, so every other byte stays
 * exactly what the codec writes (key order, number formatting, `"NaN"`), whatever the codec does.
 */
export function encodeDrifted(f: TelemetrySample, drift: Pick<Entry, 'mode' | 'field' | 'to'>): Buffer | undefined {
  // Checked first, so messages the drift cannot touch cost no encoding.
  if (fieldValue(f, drift.field) === undefined) return undefined
  const json = encodeJson(f).toString()
  const key = `${JSON.stringify(drift.field)}:`
  // A key is preceded by "{" or ","; inside a JSON string a '"' is always escaped, so this match is the key.
  const comma = json.indexOf(`,${key}`)
  const at = comma >= 0 ? comma + 1 : json.startsWith(`{${key}`) ? 1 : -1
  if (at < 0) return undefined
  const valueAt = at + key.length
  const valueEnd = endOfValue(json, valueAt)
  switch (drift.mode) {
    case 'rename':
      return Buffer.from(`${json.slice(0, at)}${JSON.stringify(drift.to)}:${json.slice(valueAt)}`)
    case 'missing': {
      const before = json.slice(0, at) // ends with "{" or ","
      const after = json.slice(valueEnd) // starts with "," or "}"
      return Buffer.from(before.endsWith(',') ? before.slice(0, -1) + after : before + (after.startsWith(',') ? after.slice(1) : after))
    }
    case 'wrong-type': {
      const value = json.slice(valueAt, valueEnd)
      // Only numbers become strings; null, "NaN" and strings are left alone.
      if (!/^-?\d/.test(value)) return undefined
      return Buffer.from(`${json.slice(0, valueAt)}"${value}"${json.slice(valueEnd)}`)
    }
  }
}

/** Whether a Sparkplug DDATA of these fields has a metric the drift changes. */
export function driftsMetric(f: TelemetrySample, drift: Pick<Entry, 'mode' | 'field'>): boolean {
  const v = drift.field === 'battery' ? f.battery : Object.hasOwn(f.values, drift.field) ? f.values[drift.field] : undefined
  if (v === undefined) return false
  return drift.mode !== 'wrong-type' || (typeof v === 'number' && !Number.isNaN(v))
}

/** A DDATA's metrics with one drifted: renamed, left out, or a number sent as a String metric. */
export function driftMetrics(metrics: SparkplugMetric[], drift: Pick<Entry, 'mode' | 'field' | 'to'>): SparkplugMetric[] {
  switch (drift.mode) {
    case 'rename':
      return metrics.map((m) => (m.name === drift.field ? { ...m, name: drift.to! } : m))
    case 'missing':
      return metrics.filter((m) => m.name !== drift.field)
    case 'wrong-type':
      return metrics.map((m) => (m.name === drift.field && typeof m.value === 'number' && !Number.isNaN(m.value) ? { ...m, datatype: 'String', value: String(m.value) } : m))
  }
}

/** Index just past the JSON value starting at `i` (a string, or a scalar up to the next "," or "}"). */
function endOfValue(json: string, i: number): number {
  if (json[i] === '"') {
    for (let j = i + 1; j < json.length; j++) {
      if (json[j] === '\\') j++
      else if (json[j] === '"') return j + 1
    }
    return json.length
  }
  let j = i
  while (j < json.length && json[j] !== ',' && json[j] !== '}') j++
  return j
}

function fieldValue(f: TelemetrySample, field: string): number | string | null | undefined {
  switch (field) {
    case 'ts':
      return f.ts
    case 'seq':
      return f.seq
    case 'battery':
      return f.battery
    case 'fw':
      return f.fw
    default:
      return Object.hasOwn(f.values, field) ? f.values[field] : undefined
  }
}
