import { z } from 'zod'
import { mutators } from '../../../telemetry/index.js'
import type { FaultKind } from '../../fault-kind.js'
import { entrySchema, sensorList } from '../envelope.js'
import { attachWindowFault } from './attach.js'

const schema = entrySchema(
  'telemetry.clipping',
  {
    sensors: sensorList,
    /** Lowest value reported; lower readings read as this. */
    min: z.number().optional(),
    /** Highest value reported; higher readings read as this. */
    max: z.number().optional(),
  },
  { durationRequired: true },
)
  .refine((e) => e.min !== undefined || e.max !== undefined, {
    message: 'telemetry.clipping needs min, max or both (the bounds readings are clipped to)',
    params: { hint: 'e.g. max: 30 (a saturated sensor), or min: 0, max: 50 (an amplifier out of headroom)' },
  })
  .refine((e) => e.min === undefined || e.max === undefined || e.min < e.max, {
    message: 'min must be below max',
    path: ['max'],
    params: { hint: 'e.g. min: 0, max: 50' },
  })

/** Saturation: readings are held within [min, max] for the window (a sensor or ADC at its limit). */
export const telemetryClipping: FaultKind<z.output<typeof schema>> = {
  kind: 'telemetry.clipping',
  group: 'telemetry',
  summary: 'readings clipped to [min, max] for a window (saturation)',
  example: { kind: 'telemetry.clipping', at: '5m', duration: '10m', target: { count: 2 }, sensors: ['temperature'], max: 22 },
  entrySchema: schema,
  apply(device, entry, ctx) {
    return attachWindowFault(device, ctx, 'telemetry.clipping', entry.sensors, (_s, clean) => mutators.clip(clean, entry.min, entry.max))
  },
}
