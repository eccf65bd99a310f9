import { z } from 'zod'
import type { FaultKind } from '../../fault-kind.js'
import { entrySchema } from '../envelope.js'

const schema = entrySchema('drop-acks', { resend: z.enum(['reconnect', 'next-session']).default('reconnect') }, { durationRequired: true })

/**
 * QoS 1/2 acknowledgements (PUBACK/PUBREC) to the devices are lost for the window, so their publishes
 * stay unacknowledged. When the window ends the device reconnects (`resend: reconnect`, default — as a
 * client with an ack timeout would) and resends every unacknowledged publish with DUP set: the broker
 * and subscribers see them twice. `next-session` waits for the next natural reconnect instead.
 * Works with any broker (applied on the device's side of the link).
 */
export const dropAcks: FaultKind<z.output<typeof schema>> = {
  kind: 'drop-acks',
  group: 'broker',
  summary: 'PUBACKs lost for the window; the device resends unacknowledged publishes after it',
  example: { kind: 'drop-acks', at: '2m', duration: '10s', target: { fraction: 0.1 } },
  entrySchema: schema,
  apply(device, entry, ctx) {
    device.setShaping(ctx.faultId, { dropAcks: true })
    return () => {
      device.setShaping(ctx.faultId, undefined)
      if (entry.resend === 'reconnect') device.bounce()
    }
  },
}
