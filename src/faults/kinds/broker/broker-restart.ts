import type { z } from 'zod'
import type { FaultKind } from '../../fault-kind.js'
import { entrySchema } from '../envelope.js'
import { linkDropout } from '../../effects/index.js'

const schema = entrySchema('broker-restart', {}, { durationRequired: true })

/**
 * The embedded broker goes down hard — listener closed, every connection cut at once — and comes back
 * on the same port after `duration`. Devices see their sessions die and reconnect with their backoff;
 * retained messages and subscriptions held by the broker survive (as with a persistent broker).
 * Every targeted device (default: all) is in the fault log.
 */
export const brokerRestart: FaultKind<z.output<typeof schema>> = {
  kind: 'broker-restart',
  group: 'broker',
  summary: 'embedded broker down for duration (all connections cut), then back on the same port',
  example: { kind: 'broker-restart', at: '3m', duration: '10s' },
  entrySchema: schema,
  effects: [linkDropout],
  needsEmbeddedBroker: true,
  exclusive: true,
  begin(_entry, ctx) {
    const broker = ctx.broker!
    const down = broker.goDown()
    return () => void down.then(() => broker.comeUp())
  },
  apply: () => () => {},
}
