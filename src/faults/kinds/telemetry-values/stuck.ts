import type { z } from 'zod'
import { mutators } from '../../../telemetry/index.js'
import type { FaultKind } from '../../fault-kind.js'
import { entrySchema, sensorList } from '../envelope.js'

const schema = entrySchema('telemetry.stuck', { sensors: sensorList }, { durationRequired: true })

/** The sensor keeps reporting the last value it read before the fault, for `duration`. */
export const telemetryStuck: FaultKind<z.output<typeof schema>> = {
  kind: 'telemetry.stuck',
  group: 'telemetry',
  example: { kind: 'telemetry.stuck', at: '30s', duration: '20s', target: { count: 5 } },
  summary: 'sensor repeats its last good value for a window',
  entrySchema: schema,
  apply(device, entry, ctx) {
    const frozen = new Map<string, number>()
    device.attachValueFault({
      faultId: ctx.faultId,
      kind: 'telemetry.stuck',
      sensors: entry.sensors ? new Set(entry.sensors) : undefined,
      mutate: (sensor, clean) => {
        if (!frozen.has(sensor)) frozen.set(sensor, device.lastCleanValue(sensor) ?? clean)
        return mutators.stuck(clean, frozen.get(sensor)!)
      },
    })
    return () => device.detachValueFault(ctx.faultId)
  },
}
