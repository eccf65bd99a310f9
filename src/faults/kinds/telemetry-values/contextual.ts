import { z } from 'zod'
import { mutators } from '../../../telemetry/index.js'
import type { FaultKind } from '../../fault-kind.js'
import { entrySchema, sensorList } from '../envelope.js'

const schema = entrySchema(
  'telemetry.contextual',
  {
    sensors: sensorList,
    /** The jump, sensor units (sign from `direction`); default `sigma` × the sensor's local spread. */
    delta: z.number().positive().optional(),
    /** Without delta: the jump in units of the sensor's measurement noise (its profile `noise`, at least one step of its precision). */
    sigma: z.number().positive().default(6),
    /** `random`: up or down, a seeded draw per device. */
    direction: z.enum(['up', 'down', 'random']).default('random'),
    /** Samples changed per device when no `duration` is given. */
    samples: z.number().int().positive().default(1),
  },
  { durationRequired: false },
)

/**
 * A contextual point anomaly (TODS point-contextual): a reading off by a few times the sensor's local
 * spread — ordinary for the sensor as a whole (well inside its range and its daily swing), abnormal
 * next to its neighbours. Local spread = the profile's measurement `noise` (at least one step of the
 * sensor's `precision`); give `delta` for sensors whose neighbours vary by more (random walks).
 * Without `duration` it changes the next `samples` samples and ends on its own.
 */
export const telemetryContextual: FaultKind<z.output<typeof schema>> = {
  kind: 'telemetry.contextual',
  group: 'telemetry',
  summary: 'readings off by a few times their local spread: normal globally, abnormal in context',
  example: { kind: 'telemetry.contextual', at: '30s', target: { count: 5 }, sensors: ['temperature'], sigma: 8 },
  entrySchema: schema,
  apply(device, entry, ctx) {
    let left = entry.samples
    const sign = entry.direction === 'up' ? 1 : entry.direction === 'down' ? -1 : ctx.rng('direction').next() < 0.5 ? 1 : -1
    device.attachValueFault({
      faultId: ctx.faultId,
      kind: 'telemetry.contextual',
      sensors: entry.sensors ? new Set(entry.sensors) : undefined,
      mutate: (_s, clean, channel) => mutators.contextual(clean, sign * (entry.delta ?? entry.sigma * Math.max(channel.spec.noise, 10 ** -channel.spec.precision))),
      afterSample: entry.duration === undefined ? () => --left <= 0 : undefined,
      onFinished: () => ctx.done(),
    })
    return () => device.detachValueFault(ctx.faultId)
  },
}
