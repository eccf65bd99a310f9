import { z } from 'zod'
import type { FaultKind } from '../../fault-kind.js'
import { entrySchema } from '../envelope.js'
import { linkDropout } from '../../effects/index.js'

const schema = entrySchema('auth-failure', { drop: z.boolean().default(true) }, { durationRequired: true })

/**
 * The broker stops accepting the devices' credentials (a revoked certificate, an expired token): each
 * CONNECT gets CONNACK 4 "bad user name or password" until the fault ends. With `drop` (default) the
 * live session is closed first, as a broker revoking a token would; otherwise the refusals start at
 * the device's next reconnect. Needs the embedded broker.
 */
export const authFailure: FaultKind<z.output<typeof schema>> = {
  kind: 'auth-failure',
  group: 'network',
  summary: 'CONNACK refused (bad credentials) until the fault ends; refusals counted',
  example: { kind: 'auth-failure', at: '1m', duration: '30s', target: { count: 10 } },
  entrySchema: schema,
  effects: [linkDropout],
  needsEmbeddedBroker: true,
  apply(device, entry, ctx) {
    const broker = ctx.broker!
    broker.rejectClient(device.id, true)
    if (entry.drop) broker.disconnectClient(device.id)
    return () => broker.rejectClient(device.id, false)
  },
}
