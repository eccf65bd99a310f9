import { z } from 'zod'
import { mutators } from '../../../telemetry/index.js'
import type { FaultKind } from '../../fault-kind.js'
import { rampedEntrySchema, sensorList } from '../envelope.js'
import { attachWindowFault } from './attach.js'

const schema = rampedEntrySchema(
  'telemetry.drift',
  {
    sensors: sensorList,
    /** Sensor units per hour (negative drifts down). */
    ratePerHour: z.number().refine((r) => r !== 0, { message: 'must not be 0 (a drift of 0 changes nothing)', params: { hint: 'e.g. ratePerHour: 0.5 (units per hour; negative drifts down)' } }),
  },
  { durationRequired: true },
)

/**
 * Calibration drift: the reading moves away from the truth at `ratePerHour`, counted from the fault's
 * start (× the ramp's intensity), and snaps back when the window ends.
 */
export const telemetryDrift: FaultKind<z.output<typeof schema>> = {
  kind: 'telemetry.drift',
  group: 'telemetry',
  summary: 'readings drift away from the truth at ratePerHour for a window',
  example: { kind: 'telemetry.drift', at: '1h', duration: '6h', target: { count: 3 }, sensors: ['temperature'], ratePerHour: 0.5 },
  entrySchema: schema,
  apply(device, entry, ctx) {
    return attachWindowFault(device, ctx, 'telemetry.drift', entry.sensors, (_s, clean) => mutators.drift(clean, entry.ratePerHour, ctx.clock.now() - ctx.startMs, ctx.intensity()))
  },
}
