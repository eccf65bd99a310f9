import { z } from 'zod'
import { mutators } from '../../../telemetry/index.js'
import type { FaultKind } from '../../fault-kind.js'
import { rampedEntrySchema, sensorList } from '../envelope.js'
import { attachWindowFault } from './attach.js'

const schema = rampedEntrySchema('cohort-shift', { sensors: sensorList, /** Sensor units added to every reading of the cohort. */ delta: z.number() }, { durationRequired: false })

/**
 * A fleet-wide incident: a level shift of `delta` on a cohort (say, every device on a bad firmware
 * version, picked with `target.labels` / `fraction`). Without `duration` it lasts until the run ends
 * (the log records it as truncated at the stop).
 */
export const cohortShift: FaultKind<z.output<typeof schema>> = {
  kind: 'cohort-shift',
  group: 'fleet',
  summary: 'a cohort of devices shifts level by delta (optional ramp; until the run ends without duration)',
  example: { kind: 'cohort-shift', at: '1h', target: { labels: { fw: '2.3.1' }, fraction: 0.5 }, sensors: ['temperature'], delta: 1.5, ramp: '30m' },
  entrySchema: schema,
  apply(device, entry, ctx) {
    // Not self-ending: with no duration, the injector closes it (truncated) when the run stops.
    return attachWindowFault(device, ctx, 'cohort-shift', entry.sensors, (_s, clean) => mutators.offset(clean, entry.delta, ctx.intensity()))
  },
}
