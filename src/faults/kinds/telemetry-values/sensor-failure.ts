import { z } from 'zod'
import { mutators } from '../../../telemetry/index.js'
import type { FaultKind } from '../../fault-kind.js'
import { entrySchema, sensorList } from '../envelope.js'
import { attachWindowFault } from './attach.js'

const schema = entrySchema(
  'sensor-failure',
  {
    sensors: sensorList,
    mode: z.enum(['dead', 'stuck-at', 'erratic']).default('dead'),
    /** With `stuck-at`: the constant reported, sensor units. */
    value: z.number().optional(),
  },
  { durationRequired: true },
).superRefine((e, ctx) => {
  if (e.mode === 'stuck-at' && e.value === undefined) {
    ctx.addIssue({ code: 'custom', path: ['value'], message: 'mode: stuck-at needs value (the constant the sensor reports)', params: { hint: 'e.g. mode: stuck-at, value: 0' } })
  }
  if (e.mode !== 'stuck-at' && e.value !== undefined) {
    ctx.addIssue({ code: 'custom', path: ['value'], message: `value is only used with mode: stuck-at (mode is ${e.mode})`, params: { hint: 'remove value, or write mode: stuck-at' } })
  }
})

/**
 * A failed sensor: `dead` reports nothing (null), `stuck-at` a constant `value` (clamped to the sensor's
 * range, like any reading), `erratic` uniform random readings across the sensor's range (without a range:
 * within the default spike size around the true value), from the fault's seeded stream.
 */
export const sensorFailure: FaultKind<z.output<typeof schema>> = {
  kind: 'sensor-failure',
  group: 'device',
  summary: 'a sensor fails for a window: dead (null), stuck at a value, or erratic',
  example: { kind: 'sensor-failure', at: '10m', duration: '1h', target: { count: 1 }, sensors: ['humidity'], mode: 'dead' },
  entrySchema: schema,
  apply(device, entry, ctx) {
    const rng = ctx.rng('erratic')
    return attachWindowFault(device, ctx, 'sensor-failure', entry.sensors, (_s, clean, channel) => {
      switch (entry.mode) {
        case 'dead':
          return null
        case 'stuck-at':
          return mutators.stuck(clean, entry.value!)
        case 'erratic': {
          const range = channel.spec.range
          const half = channel.defaultSpikeDelta(clean)
          return range ? mutators.erratic(clean, range[0], range[1], rng) : mutators.erratic(clean, clean - half, clean + half, rng)
        }
      }
    })
  },
}
