import { z } from 'zod'
import { parseDuration } from '../../../core/index.js'
import type { OutboundMessage, SparkplugEdits } from '../../../device/index.js'

/**
 * Share of messages a message fault touches, drawn per message from the fault's seeded stream.
 * Not called `probability`: the envelope's `probability` already means "chance that each targeted
 * device is affected at all" (src/spec/fault.schema.ts), and the plan reads it as such.
 */
export const messageRate = z.number().gt(0).max(1).default(1)

/**
 * A duration that may be negative (`-2h`, `+90s`, or ms as a number): clock offsets go both ways.
 * Zero is rejected — a skew of nothing is a mistake.
 */
export const signedDurationMs = z.union([z.string(), z.number()]).transform((v, ctx) => {
  try {
    if (typeof v === 'number') {
      if (!Number.isFinite(v)) throw new RangeError()
      const ms = Math.round(v)
      if (ms !== 0) return ms
    } else {
      const m = /^\s*([+-]?)\s*(.+)$/.exec(v)!
      const ms = parseDuration(m[2]!) * (m[1] === '-' ? -1 : 1)
      if (ms !== 0) return ms
    }
    ctx.addIssue({ code: 'custom', message: 'must not be 0', params: { hint: 'a signed duration, e.g. -2h or 90s' } })
  } catch {
    ctx.addIssue({ code: 'custom', message: `not a duration: ${JSON.stringify(v)}`, params: { hint: 'a duration with a unit, optionally signed: -2h, 90s, -250ms' } })
  }
  return z.NEVER
})

/** Labels a message with a fault (once: a duplicated message shares its label list with its copy). */
export function markMessage(msg: OutboundMessage, faultId: string): void {
  if (!msg.faultIds.includes(faultId)) msg.faultIds.push(faultId)
}

/**
 * A copy that later faults may change on their own (they replace `fields`/`payload`, or set `ts`).
 * `values` and `faultIds` stay shared: values are never changed in place, and a sample's labels are
 * the union of what happened to all of its copies.
 */
export function copyMessage(msg: OutboundMessage): OutboundMessage {
  return { ...msg, fields: { ...msg.fields } }
}

/**
 * Adds edits to a Sparkplug message's DDATA, after those already there (a new object: a duplicated
 * message's copies share theirs).
 */
export function editSparkplug(msg: OutboundMessage, edits: SparkplugEdits): void {
  const before = msg.sparkplug
  const metrics = before?.metrics && edits.metrics ? compose(before.metrics, edits.metrics) : (edits.metrics ?? before?.metrics)
  const bytes = before?.bytes && edits.bytes ? compose(before.bytes, edits.bytes) : (edits.bytes ?? before?.bytes)
  msg.sparkplug = { ...(metrics && { metrics }), ...(bytes && { bytes }) }
}

const compose =
  <T>(first: (x: T) => T, then: (x: T) => T) =>
  (x: T): T =>
    then(first(x))
