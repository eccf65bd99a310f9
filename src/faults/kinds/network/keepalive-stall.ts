import type { z } from 'zod'
import type { FaultKind } from '../../fault-kind.js'
import { entrySchema } from '../envelope.js'
import { linkDropout } from '../../effects/index.js'

const schema = entrySchema('keepalive-stall', {}, { durationRequired: false })

/**
 * The device's session goes silent — no telemetry, no PINGREQ — with the socket left open (a hung
 * modem, a NAT that dropped its mapping). The broker notices only when the keep-alive expires (1.5 ×
 * keepalive, MQTT §3.1.2.10) and then publishes the last will. The fault ends when that session ends
 * (or at `duration`, if given first); the device then reconnects normally.
 */
export const keepaliveStall: FaultKind<z.output<typeof schema>> = {
  kind: 'keepalive-stall',
  group: 'network',
  summary: 'session silent with the socket open; the broker times it out on keep-alive and fires the will',
  example: { kind: 'keepalive-stall', at: '40s', target: { count: 5 } },
  entrySchema: schema,
  effects: [linkDropout],
  apply(device, _entry, ctx) {
    device.setShaping(ctx.faultId, { paused: true })
    const off = device.onSessionClosed(() => {
      off()
      device.setShaping(ctx.faultId, undefined)
      ctx.done()
    })
    return () => {
      off()
      device.setShaping(ctx.faultId, undefined)
    }
  },
}
