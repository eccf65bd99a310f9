import { z } from 'zod'
import { mutators } from '../../../telemetry/index.js'
import type { FaultKind } from '../../fault-kind.js'
import { rampedEntrySchema, sensorList } from '../envelope.js'
import { attachWindowFault } from './attach.js'

const schema = rampedEntrySchema('telemetry.offset', { sensors: sensorList, /** Sensor units added to every reading. */ delta: z.number() }, { durationRequired: true })

/** A constant bias: every reading in the window is off by `delta` (reached gradually with `ramp`). */
export const telemetryOffset: FaultKind<z.output<typeof schema>> = {
  kind: 'telemetry.offset',
  group: 'telemetry',
  summary: 'readings shifted by a constant delta for a window (optional ramp)',
  example: { kind: 'telemetry.offset', at: '10m', duration: '30m', target: { count: 2 }, sensors: ['temperature'], delta: 3 },
  entrySchema: schema,
  apply(device, entry, ctx) {
    return attachWindowFault(device, ctx, 'telemetry.offset', entry.sensors, (_s, clean) => mutators.offset(clean, entry.delta, ctx.intensity()))
  },
}
