import { z } from 'zod'
import type { FaultKind } from '../../fault-kind.js'
import { entrySchema } from '../envelope.js'

const schema = entrySchema('bandwidth', { bytesPerSecond: z.number().positive() }, { durationRequired: true })

/** Throughput capped at `bytesPerSecond` each way: bursts queue up and arrive late, in order. */
export const bandwidth: FaultKind<z.output<typeof schema>> = {
  kind: 'bandwidth',
  group: 'network',
  summary: 'throughput cap each way; messages queue and arrive late',
  example: { kind: 'bandwidth', at: '1m', duration: '3m', target: { group: 'trackers' }, bytesPerSecond: 200 },
  entrySchema: schema,
  apply(device, entry, ctx) {
    device.setShaping(ctx.faultId, { bandwidthBps: entry.bytesPerSecond })
    return () => device.setShaping(ctx.faultId, undefined)
  },
}
