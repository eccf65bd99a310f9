import { z } from 'zod'
import type { Rng } from '../../../core/index.js'
import type { OutboundMessage } from '../../../device/index.js'
import { encodeJson } from '../../../telemetry/index.js'
import { decodeSparkplug } from '../../../telemetry/codecs/sparkplug.js'
import type { FaultKind } from '../../fault-kind.js'
import { entrySchema } from '../envelope.js'
import { editSparkplug, markMessage, messageRate } from './message-fault.js'

const schema = entrySchema(
  'telemetry.malformed',
  {
    /** `truncated`: cut short; `garbage`: random bytes; `not-json`: `key=value;…` text. */
    mode: z.enum(['truncated', 'garbage', 'not-json']).default('truncated'),
    /** Share of the device's messages in the window that are broken (seeded per message). */
    rate: messageRate,
  },
  { durationRequired: true },
)

type Mode = z.output<typeof schema>['mode']

/**
 * The payload is not valid telemetry: a buffer overrun cuts it short (`truncated`), a corrupted
 * buffer sends noise (`garbage`), or a debug build prints `key=value` pairs (`not-json`). Topic, QoS
 * and timing are unchanged; only the bytes are wrong. On Sparkplug devices the DDATA's protobuf bytes
 * are broken the same ways, once encoded (so its seq is taken): never a payload that decodes.
 */
export const telemetryMalformed: FaultKind<z.output<typeof schema>> = {
  kind: 'telemetry.malformed',
  group: 'telemetry',
  summary: 'payloads are not valid telemetry: truncated, random bytes or not JSON',
  example: { kind: 'telemetry.malformed', at: '30s', duration: '20s', target: { count: 3 }, mode: 'truncated' },
  entrySchema: schema,
  apply(device, entry, ctx) {
    const rng = ctx.rng('malformed')
    const { mode, rate } = entry
    const sparkplug = device.telemetryConvention === 'sparkplug'
    device.attachOutboundFault({
      faultId: ctx.faultId,
      kind: 'telemetry.malformed',
      process(msg, emit) {
        if (rate >= 1 || rng.next() < rate) {
          if (sparkplug) editSparkplug(msg, { bytes: (b) => malformSparkplug(mode, b, msg, rng) })
          else msg.payload = malform(mode, msg, rng)
          markMessage(msg, ctx.faultId)
        }
        emit(msg)
      },
    })
    return () => device.detachOutboundFault(ctx.faultId)
  },
}

/** The broken bytes for one message. Each mode's output is never valid JSON. */
export function malform(mode: Mode, msg: OutboundMessage, rng: Rng): Buffer {
  if (mode === 'not-json') return notJson(msg)
  const good = msg.payload ?? encodeJson(msg.fields)
  if (mode === 'truncated') {
    // Any proper prefix of a JSON object lacks its closing brace, so it never parses.
    return good.subarray(0, rng.int(1, Math.max(1, good.length - 1)))
  }
  const bytes = Buffer.allocUnsafe(good.length)
  // A lead byte ≥ 0x80 cannot start JSON text, so even a lucky draw is never valid telemetry.
  bytes[0] = rng.int(0x80, 0xff)
  for (let i = 1; i < bytes.length; i++) bytes[i] = rng.int(0, 0xff)
  return bytes
}

/**
 * Broken Sparkplug bytes, never a payload that decodes: `truncated` cuts the protobuf inside a field
 * (a cut between two fields would still decode, so it moves back until it does not); `garbage` starts
 * with the tag of an unknown field with an invalid wire type; `not-json` is the `key=value` text, whose
 * first byte (`t`, field 14 wire type 4) is invalid protobuf too.
 */
export function malformSparkplug(mode: Mode, good: Buffer, msg: OutboundMessage, rng: Rng): Buffer {
  if (mode === 'not-json') return notJson(msg)
  if (mode === 'truncated') {
    let n = rng.int(1, Math.max(1, good.length - 1))
    // One byte is a tag with no value: never decodes, so this ends.
    while (n > 1 && decodeSparkplug(good.subarray(0, n)).ok) n--
    return Buffer.from(good.subarray(0, n))
  }
  const bytes = Buffer.allocUnsafe(Math.max(1, good.length))
  // Field 6–15 (none is a Payload field) with wire type 6 or 7 (none exists): a decoder stops at byte 0.
  bytes[0] = (rng.int(6, 15) << 3) | rng.int(6, 7)
  for (let i = 1; i < bytes.length; i++) bytes[i] = rng.int(0, 0xff)
  return bytes
}

/** `ts=…;seq=…;temperature=21.5;humidity=40;battery=97.1` — the same fields, in the JSON codec's order. */
function notJson(msg: OutboundMessage): Buffer {
  const f = msg.fields
  let out = `ts=${f.ts};seq=${f.seq}`
  for (const k in f.values) out += `;${k}=${String(f.values[k])}`
  if (f.battery !== undefined) out += `;battery=${f.battery}`
  if (f.fw !== undefined) out += `;fw=${f.fw}`
  return Buffer.from(out)
}
