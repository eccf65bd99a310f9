import { z } from 'zod'
import { mutators } from '../../../telemetry/index.js'
import type { FaultKind } from '../../fault-kind.js'
import { entrySchema, sensorList } from '../envelope.js'
import { attachWindowFault } from './attach.js'

const schema = entrySchema(
  'telemetry.dropout',
  {
    sensors: sensorList,
    /**
     * Chance that each reading of each listed sensor is missing. Not `probability`: that envelope field
     * already means the chance that each targeted device is hit at all.
     */
    rate: z.number().gt(0).max(1).default(1),
  },
  { durationRequired: true },
)

/**
 * Missing readings: in the window each reading is null with `rate` (seeded per fault and device).
 * The message is still sent, with the sensor's field null.
 */
export const telemetryDropout: FaultKind<z.output<typeof schema>> = {
  kind: 'telemetry.dropout',
  group: 'telemetry',
  summary: 'readings missing (null) for a window, each with a probability',
  example: { kind: 'telemetry.dropout', at: '2m', duration: '1m', target: { count: 5 }, sensors: ['humidity'], rate: 0.3 },
  entrySchema: schema,
  apply(device, entry, ctx) {
    const rng = ctx.rng('dropout')
    return attachWindowFault(device, ctx, 'telemetry.dropout', entry.sensors, (_s, clean) => mutators.dropout(clean, entry.rate, rng))
  },
}
