import { z } from 'zod'
import type { OutboundMessage } from '../../../device/index.js'
import type { FaultKind } from '../../fault-kind.js'
import { entrySchema } from '../envelope.js'
import { markMessage, messageRate } from './message-fault.js'

const schema = entrySchema(
  'telemetry.out-of-order',
  {
    /** How many later messages overtake a held one. */
    depth: z.number().int().positive().default(1),
    /** Chance that a message is held (drawn per message while none is held). */
    rate: messageRate,
  },
  { durationRequired: true },
)

/**
 * Messages arrive out of order: a message is held back and sent right after the next `depth`
 * messages, so the subscriber sees `seq` go backwards (depth 1: 2 1 4 3 …; depth 2: 2 3 1 5 6 4 …).
 * One message is held at a time; the messages that overtake it are sent on time. Only held messages
 * are labelled. When the window ends, a message still held is sent at once.
 */
export const telemetryOutOfOrder: FaultKind<z.output<typeof schema>> = {
  kind: 'telemetry.out-of-order',
  group: 'telemetry',
  summary: 'a message is held and sent after the next depth messages: seq goes backwards',
  example: { kind: 'telemetry.out-of-order', at: '30s', duration: '1m', target: { count: 5 } },
  entrySchema: schema,
  apply(device, entry, ctx) {
    const rng = ctx.rng('out-of-order')
    const { depth, rate } = entry
    let held: OutboundMessage | undefined
    let overtaken = 0
    device.attachOutboundFault({
      faultId: ctx.faultId,
      kind: 'telemetry.out-of-order',
      process(msg, emit) {
        if (held) {
          emit(msg)
          if (++overtaken < depth) return
          const late = held
          held = undefined
          return emit(late)
        }
        if (rate < 1 && rng.next() >= rate) return emit(msg)
        markMessage(msg, ctx.faultId)
        held = msg
        overtaken = 0
      },
      release(emit) {
        const late = held
        held = undefined
        if (late) emit(late)
      },
    })
    return () => device.detachOutboundFault(ctx.faultId)
  },
}
