import type { z } from 'zod'
import { positiveDurationMs } from '../../../spec/index.js'
import { counterReset, linkDropout } from '../../effects/index.js'
import type { FaultKind } from '../../fault-kind.js'
import { countersParam, entrySchema } from '../envelope.js'

const schema = entrySchema('reboot-loop', { after: positiveDurationMs.default(3_000), counters: countersParam }, { durationRequired: true })

/**
 * A boot loop (bad config, corrupt flash): for the window, the firmware crashes `after` each time it
 * reaches running, so the device connects briefly, if at all, then reboots again — a classic source
 * of connect storms and duplicate "online" events. With `counters: reset` every reboot restarts `seq`
 * at 1 (`counter-reset` effects).
 */
export const rebootLoop: FaultKind<z.output<typeof schema>> = {
  kind: 'reboot-loop',
  group: 'device',
  summary: 'crash shortly after every boot for the window',
  example: { kind: 'reboot-loop', at: '1m', duration: '2m', target: { count: 2 }, after: '3s' },
  entrySchema: schema,
  effects: [linkDropout, counterReset],
  apply(device, entry, ctx) {
    let timer: unknown
    const arm = () => {
      ctx.clock.clearTimeout(timer)
      timer = ctx.clock.setTimeout(() => device.sendFirmwareEvent('firmware.crash'), entry.after)
    }
    const off = device.onStateChange((region, _from, to) => {
      if (region === 'firmware' && to === 'running') arm()
    })
    if (device.currentStates.firmware === 'running') arm()
    return () => {
      off()
      ctx.clock.clearTimeout(timer)
    }
  },
}
