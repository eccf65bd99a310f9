import { assign } from 'xstate'
import { firmwareContext, firmwareSetup } from '../src/device/kit.js'

/**
 * `basic`: boots, runs, reboots on command, and when it crashes its watchdog reboots it.
 *
 *   booting --bootTime--> running --command.reboot--> rebooting --rebootDelay--> booting
 *                         running --firmware.crash--> crashed --watchdog--> rebooting
 *   any --power.off--> off --power.on--> booting
 */
export const basicFirmware = firmwareSetup.createMachine({
  id: 'basic',
  context: firmwareContext,
  initial: 'booting',
  states: {
    booting: {
      entry: [assign({ boots: ({ context }) => context.boots + 1 }), 'countBoot'],
      after: { bootTime: 'running' },
    },
    running: {
      entry: 'notifyUp',
      exit: 'notifyDown',
      on: {
        'command.reboot': 'rebooting',
        'firmware.crash': 'crashed',
      },
    },
    crashed: {
      entry: [assign({ crashes: ({ context }) => context.crashes + 1 }), 'countCrash'],
      after: { watchdog: 'rebooting' },
    },
    rebooting: {
      after: { rebootDelay: 'booting' },
    },
    off: {
      on: { 'power.on': 'booting' },
    },
  },
  on: {
    'power.off': '.off',
  },
})

export default basicFirmware
