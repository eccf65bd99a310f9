import { z } from 'zod'
import { positiveDurationMs } from '../../../spec/index.js'
import { mutators } from '../../../telemetry/index.js'
import type { FaultKind } from '../../fault-kind.js'
import { entrySchema, sensorList } from '../envelope.js'
import { attachWindowFault } from './attach.js'

const schema = entrySchema(
  'telemetry.shapelet',
  {
    sensors: sensorList,
    shape: z.enum(['square', 'triangle', 'sawtooth', 'sine']).default('square'),
    /** One period of the shape. */
    period: positiveDurationMs,
    /** Half the shape's peak-to-peak height, sensor units. */
    amplitude: z.number().positive(),
  },
  { durationRequired: true },
)

/**
 * A collective shapelet anomaly (TODS collective-shapelet): for the window the sensor draws another
 * shape — `level + amplitude × shape(t / period)`, `level` its last clean reading before the fault —
 * with its usual measurement noise (from the fault's own stream). The level stays, the pattern does
 * not: a square wave where a sine was, a sawtooth where a random walk was.
 */
export const telemetryShapelet: FaultKind<z.output<typeof schema>> = {
  kind: 'telemetry.shapelet',
  group: 'telemetry',
  summary: 'readings follow another shape (square, triangle, sawtooth) at the same level for a window',
  example: { kind: 'telemetry.shapelet', at: '1h', duration: '2h', target: { count: 3 }, sensors: ['temperature'], shape: 'square', period: '30m', amplitude: 1.5 },
  entrySchema: schema,
  apply(device, entry, ctx) {
    const level = new Map<string, number>()
    const rng = ctx.rng('shapelet')
    return attachWindowFault(device, ctx, 'telemetry.shapelet', entry.sensors, (sensor, clean, channel) => {
      if (!level.has(sensor)) level.set(sensor, device.lastCleanValue(sensor) ?? clean)
      const noise = channel.spec.noise > 0 ? channel.spec.noise * rng.normal() : 0
      return mutators.shapelet(clean, level.get(sensor)!, entry.amplitude, entry.shape, (ctx.clock.now() - ctx.startMs) / entry.period, noise)
    })
  },
}
