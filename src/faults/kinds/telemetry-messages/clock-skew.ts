import { z } from 'zod'
import type { FaultKind } from '../../fault-kind.js'
import { entrySchema } from '../envelope.js'
import { markMessage, signedDurationMs } from './message-fault.js'

const PARAM = { offset: 'offset', drift: 'driftPerHour', jump: 'jump' } as const

const schema = entrySchema(
  'telemetry.clock-skew',
  {
    mode: z.enum(['offset', 'drift', 'jump']),
    /** mode offset: the device clock is this far ahead (negative: behind) for the whole window. */
    offset: signedDurationMs.optional(),
    /** mode drift: the device clock gains this much per hour from the fault's start (negative: loses). */
    driftPerHour: signedDurationMs.optional(),
    /** mode jump: the device clock steps by this much at the fault's start (stepped back when it ends). */
    jump: signedDurationMs.optional(),
  },
  { durationRequired: true },
).superRefine((e, ctx) => {
  for (const [mode, key] of Object.entries(PARAM)) {
    const given = e[key] !== undefined
    if (mode === e.mode && !given) {
      ctx.addIssue({ code: 'custom', path: [key], message: `mode ${mode} needs "${key}"`, params: { hint: `a signed duration, e.g. ${key}: ${mode === 'drift' ? '30s' : '-2h'}` } })
    } else if (mode !== e.mode && given) {
      ctx.addIssue({ code: 'custom', path: [key], message: `"${key}" only applies to mode ${mode} (mode is ${e.mode})`, params: { hint: `use ${PARAM[e.mode]} with mode ${e.mode}` } })
    }
  }
})

/**
 * The device's clock is wrong: its messages carry a `ts` off by a constant (`offset`), by an error
 * that grows over the window (`drift`), or stepped at the start (`jump`, a bad NTP sync or RTC reset).
 * Only the message's `ts` changes; the sample's true time stays in `sample.ts` (`ts` vs `ts_device`
 * in datasets). Every message in the window is labelled.
 */
export const telemetryClockSkew: FaultKind<z.output<typeof schema>> = {
  kind: 'telemetry.clock-skew',
  group: 'telemetry',
  summary: "the device's timestamps are wrong: constant offset, growing drift or a step",
  example: { kind: 'telemetry.clock-skew', at: '1m', duration: '5m', target: { count: 2 }, mode: 'offset', offset: '-2h' },
  entrySchema: schema,
  apply(device, entry, ctx) {
    const startMs = ctx.startMs
    const perMs = entry.mode === 'drift' ? entry.driftPerHour! / 3_600_000 : 0
    const step = entry.mode === 'offset' ? entry.offset! : entry.mode === 'jump' ? entry.jump! : 0
    device.attachOutboundFault({
      faultId: ctx.faultId,
      kind: 'telemetry.clock-skew',
      process(msg, emit) {
        // Elapsed from the sample's true time, so a message held by an earlier fault drifts by when it was taken.
        const skew = perMs === 0 ? step : Math.round(perMs * (msg.sample.ts - startMs))
        if (skew !== 0) {
          msg.fields.ts += skew
          markMessage(msg, ctx.faultId)
        }
        emit(msg)
      },
    })
    return () => device.detachOutboundFault(ctx.faultId)
  },
}
