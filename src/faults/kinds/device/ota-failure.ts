import { z } from 'zod'
import type { FaultKind } from '../../fault-kind.js'
import { entrySchema } from '../envelope.js'

const schema = entrySchema('ota-failure', { stage: z.enum(['download', 'verify', 'boot']) }, { durationRequired: true })

/**
 * For the window, OTA updates on the targeted devices fail at `stage`: the download breaks off
 * (`download`), the image fails its checksum (`verify`), or the new version does not come up and is
 * rolled back (`boot`). The firmware consults it when it reaches that stage, so an update already
 * past the stage when the window opens is not affected. Only firmware models with OTA (`ota`) react.
 */
export const otaFailure: FaultKind<z.output<typeof schema>> = {
  kind: 'ota-failure',
  group: 'device',
  summary: 'OTA updates fail at a chosen stage (download, verify or boot) for the window',
  example: { kind: 'ota-failure', at: '1m', duration: '10m', target: { count: 2 }, stage: 'verify' },
  entrySchema: schema,
  apply(device, entry, ctx) {
    device.setOtaFailure(ctx.faultId, entry.stage)
    return () => device.setOtaFailure(ctx.faultId, undefined)
  },
}
