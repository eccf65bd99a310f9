import type { z } from 'zod'
import type { FaultKind } from '../../fault-kind.js'
import { entrySchema } from '../envelope.js'
import { linkDropout } from '../../effects/index.js'

const schema = entrySchema('broker-outage', {}, { durationRequired: true })

/**
 * The broker process is up but not serving: existing sessions are closed and every CONNECT is answered
 * CONNACK 3 "server unavailable" until the window ends (an overloaded or draining broker, a failed
 * auth backend). Devices count refusals and keep backing off.
 */
export const brokerOutage: FaultKind<z.output<typeof schema>> = {
  kind: 'broker-outage',
  group: 'broker',
  summary: 'sessions closed and CONNACK "server unavailable" for the window',
  example: { kind: 'broker-outage', at: '4m', duration: '20s' },
  entrySchema: schema,
  effects: [linkDropout],
  needsEmbeddedBroker: true,
  exclusive: true,
  begin(_entry, ctx) {
    ctx.broker!.setOutage(true)
    return () => ctx.broker!.setOutage(false)
  },
  apply: () => () => {},
}
