import { z } from 'zod'
import { mutators } from '../../../telemetry/index.js'
import type { FaultKind } from '../../fault-kind.js'
import { entrySchema, sensorList } from '../envelope.js'
import { attachWindowFault } from './attach.js'

const schema = entrySchema(
  'telemetry.decorrelation',
  {
    /** Which correlated sensors break away (default: every correlated sensor of the device). */
    sensors: sensorList,
    /** `hold`: it stops following its source; `invert`: it moves against it. */
    mode: z.enum(['hold', 'invert']).default('hold'),
  },
  { durationRequired: true },
)

/**
 * Broken correlation between co-located sensors: a sensor whose signal follows another sensor of the
 * same device (`signal: { kind: correlated, source: … }` — humidity on the board of a thermometer,
 * a current that tracks a power reading) stops following it for the window. `hold`: it keeps the
 * relation it had when the fault began and moves only by its own noise, while its source goes on;
 * `invert`: it moves against the source by as much as it used to move with it. Each series alone
 * looks normal; their joint behaviour does not. Only devices with a correlated sensor are targeted.
 */
export const telemetryDecorrelation: FaultKind<z.output<typeof schema>> = {
  kind: 'telemetry.decorrelation',
  group: 'telemetry',
  summary: 'a correlated sensor stops following (or opposes) its co-located source for a window',
  example: { kind: 'telemetry.decorrelation', at: '10m', duration: '1h', target: { count: 2 }, sensors: ['humidity'] },
  entrySchema: schema,
  appliesTo: (d, entry) => (d.correlated ?? []).some((s) => !entry.sensors || entry.sensors.includes(s)),
  apply(device, entry, ctx) {
    const correlated = Object.entries(device.identity.profile.sensors)
      .filter(([name, spec]) => spec.signal.kind === 'correlated' && (!entry.sensors || entry.sensors.includes(name)))
      .map(([name]) => name)
    const source0 = new Map<string, number>()
    return attachWindowFault(device, ctx, 'telemetry.decorrelation', correlated, (sensor, clean, channel) => {
      const c = channel.correlation()
      if (!c || c.sourceClean === undefined) return clean
      // The source as it was when the fault began: its last clean reading before, else this one.
      if (!source0.has(sensor)) source0.set(sensor, device.lastCleanValue(c.source) ?? c.sourceClean)
      return mutators.decorrelate(clean, c.scale, c.sourceClean, source0.get(sensor)!, entry.mode)
    })
  },
}
