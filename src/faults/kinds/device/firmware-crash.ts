import type { z } from 'zod'
import { counterReset, linkDropout } from '../../effects/index.js'
import type { FaultKind } from '../../fault-kind.js'
import { countersParam, entrySchema } from '../envelope.js'

const schema = entrySchema('firmware-crash', { counters: countersParam }, { durationRequired: false })

/**
 * The firmware crashes: the session dies uncleanly (last will), the watchdog reboots the device after
 * the profile's `firmware.watchdog`, and it boots and reconnects. The fault ends when the firmware is
 * running again. With `counters: reset` the crash loses the RAM counters: `seq` restarts at 1 after the
 * reboot (a `counter-reset` effect). The reconnect after it is a `link-dropout` effect.
 */
export const firmwareCrash: FaultKind<z.output<typeof schema>> = {
  kind: 'firmware-crash',
  group: 'device',
  summary: 'firmware crash; watchdog reboot; ends when running again',
  example: { kind: 'firmware-crash', at: '45s', target: { count: 2 } },
  entrySchema: schema,
  effects: [linkDropout, counterReset],
  apply(device, _entry, ctx) {
    const off = device.onStateChange((region, _from, to) => {
      if (region === 'firmware' && to === 'running') {
        off()
        ctx.done()
      }
    })
    device.sendFirmwareEvent('firmware.crash')
    return off
  },
}
