import { z } from 'zod'
import { mutators } from '../../../telemetry/index.js'
import type { FaultKind } from '../../fault-kind.js'
import { entrySchema, sensorList } from '../envelope.js'

const schema = entrySchema(
  'telemetry.spike',
  {
    sensors: sensorList,
    /** Added to the reading, in sensor units; default half the sensor's range (sign from `direction`). */
    delta: z.number().optional(),
    direction: z.enum(['up', 'down']).default('up'),
    /** Samples spiked per device when no `duration` is given. */
    samples: z.number().int().positive().default(1),
  },
  { durationRequired: false },
)

/**
 * Point anomaly: readings jump by `delta`. Without `duration` it hits the next `samples` samples of each
 * targeted device and ends on its own; with `duration`, every sample in the window.
 */
export const telemetrySpike: FaultKind<z.output<typeof schema>> = {
  kind: 'telemetry.spike',
  group: 'telemetry',
  example: { kind: 'telemetry.spike', at: '25s', target: { count: 20 }, samples: 2 },
  summary: 'readings jump by delta for N samples (or a window)',
  entrySchema: schema,
  apply(device, entry, ctx) {
    let left = entry.samples
    const sign = entry.direction === 'down' ? -1 : 1
    device.attachValueFault({
      faultId: ctx.faultId,
      kind: 'telemetry.spike',
      sensors: entry.sensors ? new Set(entry.sensors) : undefined,
      mutate: (_s, clean, channel) => mutators.spike(clean, sign * (entry.delta ?? channel.defaultSpikeDelta(clean))),
      afterSample: entry.duration === undefined ? () => --left <= 0 : undefined,
      onFinished: () => ctx.done(),
    })
    return () => device.detachValueFault(ctx.faultId)
  },
}
