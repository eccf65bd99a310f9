import { z } from 'zod'
import type { FaultKind } from '../../fault-kind.js'
import { entrySchema } from '../envelope.js'
import { linkDropout } from '../../effects/index.js'

const schema = entrySchema('reconnect-storm', { reconnect: z.enum(['immediate', 'backoff']).default('immediate') }, { durationRequired: true })

/**
 * Many devices drop at once (unclean: last wills) and all come back at the same instant when
 * `duration` ends: `immediate` (default) skips their remaining backoff — a thundering herd of
 * CONNECTs — while `backoff` lets each finish its own backoff first.
 */
export const reconnectStorm: FaultKind<z.output<typeof schema>> = {
  kind: 'reconnect-storm',
  group: 'network',
  summary: 'mass unclean drop, then every device reconnects at the same instant',
  example: { kind: 'reconnect-storm', at: '2m', duration: '5s', target: { fraction: 0.5 } },
  entrySchema: schema,
  effects: [linkDropout],
  apply(device, entry) {
    device.setNetworkDown(true)
    return () => {
      device.setNetworkDown(false)
      if (entry.reconnect === 'immediate') device.retryNow()
    }
  },
}
