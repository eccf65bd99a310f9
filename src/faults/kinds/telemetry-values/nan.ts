import { z } from 'zod'
import { mutators } from '../../../telemetry/index.js'
import type { FaultKind } from '../../fault-kind.js'
import { entrySchema, sensorList } from '../envelope.js'
import { attachWindowFault } from './attach.js'

const schema = entrySchema(
  'telemetry.nan',
  {
    sensors: sensorList,
    /** `nan`: the payload carries the string "NaN"; `null`: it carries null (YAML's bare `null` counts as "null"). */
    as: z.preprocess((v) => (v === null ? 'null' : v), z.enum(['nan', 'null'])).default('nan'),
  },
  { durationRequired: true },
)

/** Not-a-number readings: the sensor reports NaN (the JSON payload carries `"NaN"`) or null for the window. */
export const telemetryNan: FaultKind<z.output<typeof schema>> = {
  kind: 'telemetry.nan',
  group: 'telemetry',
  summary: 'readings are NaN ("NaN" in JSON) or null for a window',
  example: { kind: 'telemetry.nan', at: '3m', duration: '30s', target: { count: 1 }, sensors: ['temperature'] },
  entrySchema: schema,
  apply(device, entry, ctx) {
    return attachWindowFault(device, ctx, 'telemetry.nan', entry.sensors, (_s, clean) => mutators.nan(clean, entry.as))
  },
}
