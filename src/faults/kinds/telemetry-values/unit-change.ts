import { z } from 'zod'
import { mutators, unitConversions } from '../../../telemetry/index.js'
import type { FaultKind } from '../../fault-kind.js'
import { entrySchema, sensorList } from '../envelope.js'
import { attachWindowFault } from './attach.js'

const conversions = [...(Object.keys(unitConversions) as (keyof typeof unitConversions)[]), 'custom'] as const

const schema = entrySchema(
  'telemetry.unit-change',
  {
    sensors: sensorList,
    conversion: z.enum(conversions),
    /** With `custom`: reported = clean × factor + offset. */
    factor: z.number().optional(),
    offset: z.number().optional(),
  },
  { durationRequired: true },
).superRefine((e, ctx) => {
  if (e.conversion === 'custom') {
    if (e.factor === undefined) ctx.addIssue({ code: 'custom', path: ['factor'], message: 'conversion: custom needs factor (reported = clean × factor + offset)', params: { hint: 'e.g. conversion: custom, factor: 0.001 (W → kW)' } })
    else if (e.factor === 0) ctx.addIssue({ code: 'custom', path: ['factor'], message: 'factor must not be 0 (every reading would be the offset)', params: { hint: 'e.g. factor: 0.001' } })
  } else {
    for (const key of ['factor', 'offset'] as const) {
      if (e[key] !== undefined) ctx.addIssue({ code: 'custom', path: [key], message: `${key} is only used with conversion: custom (${e.conversion} is fixed)`, params: { hint: `remove ${key}, or write conversion: custom` } })
    }
  }
})

/**
 * The device reports in another unit (a firmware update switched °C to °F, a meter reports Wh instead of
 * kWh). The converted value is not clamped to the sensor's range, which is in the old unit.
 */
export const telemetryUnitChange: FaultKind<z.output<typeof schema>> = {
  kind: 'telemetry.unit-change',
  group: 'telemetry',
  summary: 'readings reported in another unit (°C→°F, kWh→Wh, custom) for a window',
  example: { kind: 'telemetry.unit-change', at: '1h', duration: '2h', target: { count: 3 }, sensors: ['temperature'], conversion: 'celsius-to-fahrenheit' },
  entrySchema: schema,
  apply(device, entry, ctx) {
    const { factor, offset } = entry.conversion === 'custom' ? { factor: entry.factor!, offset: entry.offset ?? 0 } : unitConversions[entry.conversion]
    return attachWindowFault(device, ctx, 'telemetry.unit-change', entry.sensors, (_s, clean) => mutators.linear(clean, factor, offset), { raw: true })
  },
}
