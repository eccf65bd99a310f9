import type { z } from 'zod'
import type { OutboundMessage } from '../../../device/index.js'
import type { FaultKind } from '../../fault-kind.js'
import { entrySchema } from '../envelope.js'
import { markMessage } from './message-fault.js'

const schema = entrySchema('telemetry.delayed-burst', {}, { durationRequired: true })

/**
 * Store and forward: the device keeps every message of the window and sends them all at once, in
 * order, when the window ends — each with the `ts` and `seq` it was taken with. A backend sees
 * silence (while the session stays up), then a burst of stale readings. The window's messages are
 * held in memory (one object per sample).
 */
export const telemetryDelayedBurst: FaultKind<z.output<typeof schema>> = {
  kind: 'telemetry.delayed-burst',
  group: 'telemetry',
  summary: 'messages held for the window, then sent all at once (store-and-forward burst)',
  example: { kind: 'telemetry.delayed-burst', at: '30s', duration: '2m', target: { count: 3 } },
  entrySchema: schema,
  apply(device, _entry, ctx) {
    let held: OutboundMessage[] = []
    device.attachOutboundFault({
      faultId: ctx.faultId,
      kind: 'telemetry.delayed-burst',
      process(msg) {
        markMessage(msg, ctx.faultId)
        held.push(msg)
      },
      release(emit) {
        const burst = held
        held = []
        for (const m of burst) emit(m)
      },
    })
    return () => device.detachOutboundFault(ctx.faultId)
  },
}
