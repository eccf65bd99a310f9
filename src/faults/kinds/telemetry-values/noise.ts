import { z } from 'zod'
import { mutators } from '../../../telemetry/index.js'
import type { FaultKind } from '../../fault-kind.js'
import { rampedEntrySchema, sensorList } from '../envelope.js'
import { attachWindowFault } from './attach.js'

const schema = rampedEntrySchema(
  'telemetry.noise',
  { sensors: sensorList, /** Standard deviation of the added noise, sensor units. */ sd: z.number().positive() },
  { durationRequired: true },
)

/**
 * Extra Gaussian noise (a loose connector, interference): `sd × N(0, 1)` added to every reading, drawn
 * from the fault's own seeded stream, so it never shifts the device's clean signal.
 */
export const telemetryNoise: FaultKind<z.output<typeof schema>> = {
  kind: 'telemetry.noise',
  group: 'telemetry',
  summary: 'extra Gaussian noise of sd on readings for a window (optional ramp)',
  example: { kind: 'telemetry.noise', at: '5m', duration: '10m', target: { fraction: 0.1 }, sd: 2 },
  entrySchema: schema,
  apply(device, entry, ctx) {
    const rng = ctx.rng('noise')
    return attachWindowFault(device, ctx, 'telemetry.noise', entry.sensors, (_s, clean) => mutators.noise(clean, entry.sd, rng, ctx.intensity()))
  },
}
