import { z } from 'zod'
import type { FaultKind } from '../../fault-kind.js'
import { entrySchema } from '../envelope.js'
import { batteryEffects } from '../../effects/index.js'

const schema = entrySchema('battery-drain', { extraMa: z.number().positive() }, { durationRequired: false })

/**
 * A parasitic load (a stuck radio, a sensor heater left on) draws `extraMa` on top of normal use, so
 * the battery crosses low → critical → dead early; at dead the device powers off. Only devices with a
 * battery are targeted. Without `duration` it lasts until the run ends.
 */
export const batteryDrain: FaultKind<z.output<typeof schema>> = {
  kind: 'battery-drain',
  group: 'device',
  summary: 'extra current drawn; battery falls through low/critical to dead early',
  example: { kind: 'battery-drain', at: '1m', target: { count: 3 }, extraMa: 400 },
  entrySchema: schema,
  effects: [batteryEffects],
  appliesTo: (d) => d.hasBattery,
  apply(device, entry) {
    device.addBatteryDrain(entry.extraMa)
    return () => device.addBatteryDrain(-entry.extraMa)
  },
}
