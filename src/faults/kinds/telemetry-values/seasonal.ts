import { z } from 'zod'
import { positiveDurationMs } from '../../../spec/index.js'
import { mutators } from '../../../telemetry/index.js'
import type { FaultKind } from '../../fault-kind.js'
import { rampedEntrySchema, sensorList } from '../envelope.js'
import { attachWindowFault } from './attach.js'

const schema = rampedEntrySchema(
  'telemetry.seasonal',
  {
    sensors: sensorList,
    /** The period of the season that appears (e.g. 2h on a sensor whose own is 24h). */
    period: positiveDurationMs,
    /** Its amplitude, sensor units. */
    amplitude: z.number().positive(),
  },
  { durationRequired: true },
)

/**
 * A collective seasonal anomaly (TODS collective-seasonal): for the window the readings gain a
 * season they do not have — `clean + amplitude × sin(2π (t − start) / period)` (× the ramp's
 * intensity) — a compressor cycling every 20 minutes, a valve hunting. Each reading stays plausible;
 * the rhythm does not.
 */
export const telemetrySeasonal: FaultKind<z.output<typeof schema>> = {
  kind: 'telemetry.seasonal',
  group: 'telemetry',
  summary: 'readings gain a season of another period for a window (optional ramp)',
  example: { kind: 'telemetry.seasonal', at: '1h', duration: '6h', target: { count: 3 }, sensors: ['temperature'], period: '20m', amplitude: 1 },
  entrySchema: schema,
  apply(device, entry, ctx) {
    return attachWindowFault(device, ctx, 'telemetry.seasonal', entry.sensors, (_s, clean) => mutators.seasonal(clean, entry.amplitude, (ctx.clock.now() - ctx.startMs) / entry.period, ctx.intensity()))
  },
}
