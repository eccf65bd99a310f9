import { z } from 'zod'
import { mutators } from '../../../telemetry/index.js'
import type { FaultKind } from '../../fault-kind.js'
import { rampedEntrySchema, sensorList } from '../envelope.js'
import { attachWindowFault } from './attach.js'

const schema = rampedEntrySchema('telemetry.gain', { sensors: sensorList, /** Multiplier at full intensity (1 = no change). */ factor: z.number() }, { durationRequired: true })

/** A wrong gain (scale error): readings are multiplied by `factor` (approached gradually with `ramp`). */
export const telemetryGain: FaultKind<z.output<typeof schema>> = {
  kind: 'telemetry.gain',
  group: 'telemetry',
  summary: 'readings multiplied by factor for a window (optional ramp)',
  example: { kind: 'telemetry.gain', at: '10m', duration: '30m', target: { count: 2 }, sensors: ['humidity'], factor: 1.2 },
  entrySchema: schema,
  apply(device, entry, ctx) {
    return attachWindowFault(device, ctx, 'telemetry.gain', entry.sensors, (_s, clean) => mutators.gain(clean, entry.factor, ctx.intensity()))
  },
}
