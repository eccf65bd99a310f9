import type { z } from 'zod'
import type { FaultKind } from '../../fault-kind.js'
import { entrySchema } from '../envelope.js'
import { linkDropout } from '../../effects/index.js'

const schema = entrySchema('partition', {}, { durationRequired: true })

/**
 * The devices are cut off without anyone closing anything: packets go nowhere in either direction.
 * Live sessions hang until the broker's keep-alive expires (then their last will fires) or the window
 * ends (then held traffic flows again); new connects time out. Unlike `disconnect`, nobody learns of
 * it at once — that is what makes partitions hard for backends.
 */
export const partition: FaultKind<z.output<typeof schema>> = {
  kind: 'partition',
  group: 'network',
  summary: 'silent cut-off: traffic held both ways, sessions time out on keep-alive, connects time out',
  example: { kind: 'partition', at: '1m', duration: '90s', target: { labels: { site: 'berlin' } } },
  entrySchema: schema,
  effects: [linkDropout],
  apply(device, _entry, ctx) {
    device.setShaping(ctx.faultId, { paused: true })
    return () => device.setShaping(ctx.faultId, undefined)
  },
}
