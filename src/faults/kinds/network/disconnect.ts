import { z } from 'zod'
import type { FaultKind } from '../../fault-kind.js'
import { entrySchema } from '../envelope.js'
import { linkDropout } from '../../effects/index.js'

const schema = entrySchema('disconnect', { mode: z.enum(['unclean', 'clean']).default('unclean') }, { durationRequired: true })

/**
 * The device loses its network for `duration`. `unclean` (default): the socket dies without
 * DISCONNECT, so the broker publishes the device's last will (`offline`, retained); connects fail
 * until the network returns, then the device reconnects at its next backoff. `clean`: the device says
 * goodbye (status offline + DISCONNECT) first.
 */
export const disconnect: FaultKind<z.output<typeof schema>> = {
  kind: 'disconnect',
  group: 'network',
  example: { kind: 'disconnect', at: '20s', duration: '15s', target: { fraction: 0.1 } },
  summary: 'network lost for a window; last will published (unclean) or clean DISCONNECT; reconnect with backoff',
  entrySchema: schema,
  effects: [linkDropout],
  apply(device, entry) {
    if (entry.mode === 'clean') device.disconnectCleanly()
    device.setNetworkDown(true)
    return () => device.setNetworkDown(false)
  },
}
