import { z } from 'zod'
import { linkDropout, releaseShift } from '../../effects/index.js'
import type { FaultKind } from '../../fault-kind.js'
import { entrySchema, sensorList } from '../envelope.js'

const schema = entrySchema(
  'firmware-rollout',
  {
    /** The version installed. */
    version: z.string().min(1),
    /** Sensor units the new release adds to every reading (a calibration bug): the cohort's level shift. */
    delta: z.number().optional(),
    /** Which sensors shift (default all); only with delta. */
    sensors: sensorList,
  },
  { durationRequired: false },
).refine((e) => e.sensors === undefined || e.delta !== undefined, {
  message: 'sensors only matter with delta (the sensors whose level the release shifts)',
  path: ['sensors'],
  params: { hint: 'add delta: <sensor units>, or remove sensors' },
})

/**
 * A fleet-wide release: every targeted device installs `version` and reboots into it (its
 * `firmware_version` changes; the reboot is a short `link-dropout`). With `delta`, the release
 * shifts the cohort's readings once each device runs it: a `cohort-shift` effect whose root cause is
 * the rollout. With `duration`, the devices roll back when it ends (old version, no shift); without
 * it they keep the release until the run ends.
 */
export const firmwareRollout: FaultKind<z.output<typeof schema>> = {
  kind: 'firmware-rollout',
  group: 'fleet',
  summary: 'a cohort installs a firmware version and reboots into it; with delta, the release shifts its readings',
  example: { kind: 'firmware-rollout', at: '1h', target: { labels: { fw: '2.3.1' }, fraction: 0.5 }, version: '2.4.0', delta: 1.5, sensors: ['temperature'] },
  entrySchema: schema,
  effects: [linkDropout, releaseShift],
  apply(device, entry) {
    device.setFirmwareVersionOverride(entry.version)
    device.sendFirmwareEvent('command.reboot')
    return () => device.setFirmwareVersionOverride(undefined)
  },
}
