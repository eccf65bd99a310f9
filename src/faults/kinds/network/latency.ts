import { z } from 'zod'
import { durationMs, positiveDurationMs } from '../../../spec/index.js'
import type { FaultKind } from '../../fault-kind.js'
import { entrySchema } from '../envelope.js'

const schema = entrySchema('latency', { delay: positiveDurationMs, jitter: durationMs.default(0) }, { durationRequired: true })

/** Every packet to and from the device is delayed by `delay` plus up to `jitter` (order kept, as on TCP). */
export const latency: FaultKind<z.output<typeof schema>> = {
  kind: 'latency',
  group: 'network',
  summary: 'added delay (+ jitter) on every packet, both directions',
  example: { kind: 'latency', at: '1m', duration: '2m', target: { group: 'trackers' }, delay: '800ms', jitter: '400ms' },
  entrySchema: schema,
  apply(device, entry, ctx) {
    device.setShaping(ctx.faultId, { latencyMs: entry.delay, jitterMs: entry.jitter })
    return () => device.setShaping(ctx.faultId, undefined)
  },
}
