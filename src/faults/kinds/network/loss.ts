import { z } from 'zod'
import type { FaultKind } from '../../fault-kind.js'
import { entrySchema } from '../envelope.js'

const schema = entrySchema('loss', { rate: z.number().gt(0).max(1) }, { durationRequired: true })

/**
 * Telemetry publishes are lost on the way out with probability `rate` (seeded per device). The device
 * believes it sent them: with QoS 1 they are not retried. This is the loss a backend sees as seq gaps,
 * and the fault log explains every one.
 */
export const loss: FaultKind<z.output<typeof schema>> = {
  kind: 'loss',
  group: 'network',
  summary: 'telemetry publishes lost with probability rate',
  example: { kind: 'loss', at: '1m', duration: '5m', target: { fraction: 0.2 }, rate: 0.1 },
  entrySchema: schema,
  apply(device, entry, ctx) {
    device.setShaping(ctx.faultId, { lossRate: entry.rate })
    return () => device.setShaping(ctx.faultId, undefined)
  },
}
