import type { z } from 'zod'
import type { FaultKind } from '../../fault-kind.js'
import { entrySchema } from '../envelope.js'
import { copyMessage, markMessage, messageRate } from './message-fault.js'

const schema = entrySchema('telemetry.duplicate', { rate: messageRate }, { durationRequired: true })

/**
 * Each affected message is sent twice, back to back, with the same `seq` and identical bytes — the
 * firmware retrying a publish it believes failed. On the wire they are two distinct PUBLISH packets
 * (QoS 1: two packet ids), so MQTT's own de-duplication does not hide them.
 */
export const telemetryDuplicate: FaultKind<z.output<typeof schema>> = {
  kind: 'telemetry.duplicate',
  group: 'telemetry',
  summary: 'messages sent twice with the same seq',
  example: { kind: 'telemetry.duplicate', at: '30s', duration: '1m', target: { count: 5 }, rate: 0.2 },
  entrySchema: schema,
  apply(device, entry, ctx) {
    const rng = ctx.rng('duplicate')
    const rate = entry.rate
    device.attachOutboundFault({
      faultId: ctx.faultId,
      kind: 'telemetry.duplicate',
      process(msg, emit) {
        if (rate < 1 && rng.next() >= rate) return emit(msg)
        markMessage(msg, ctx.faultId)
        // Copied before the first goes on, so faults after this one change each copy once.
        const again = copyMessage(msg)
        emit(msg)
        emit(again)
      },
    })
    return () => device.detachOutboundFault(ctx.faultId)
  },
}
