import { setup } from 'xstate'

/**
 * The small kit firmware models build on (firmware-models/*.machine.ts import only this and xstate).
 *
 * A firmware model is a pure XState machine. It never touches the network: it says what happens
 * through named actions (`notifyUp`, `notifyDown`, …) that each virtual device binds with
 * `machine.provide()`. Its timers (`bootTime`, `watchdog`, `rebootDelay`) are delays read from its
 * input, and run on the fleet's Clock.
 */
export interface FirmwareInput {
  version: string
  bootTimeMs: number
  watchdogMs: number
  rebootDelayMs?: number
}

export interface FirmwareContext {
  version: string
  bootTimeMs: number
  watchdogMs: number
  rebootDelayMs: number
  /** Boots since the device was created (1 after the first boot). */
  boots: number
  crashes: number
}

/** Events a firmware model must understand. Dotted lowercase names (STYLE.md). */
export type FirmwareEvent =
  | { type: 'command.reboot' }
  /** The firmware crashes (a fault, or a seeded spontaneous crash); the watchdog reboots it. */
  | { type: 'firmware.crash' }
  /** Power lost (battery dead): the device is off until power returns. */
  | { type: 'power.off' }
  | { type: 'power.on' }

/** Firmware states the rest of the fleet understands; models may add their own. */
export const FIRMWARE_STATES = ['booting', 'running', 'rebooting', 'crashed', 'off'] as const

export const firmwareSetup = setup({
  types: {
    context: {} as FirmwareContext,
    events: {} as FirmwareEvent,
    input: {} as FirmwareInput,
  },
  actions: {
    /** The firmware is up: the device may connect and sample. Bound per device. */
    notifyUp: () => {},
    /** The firmware stopped running (reboot, crash, power loss): the link dies with it. Bound per device. */
    notifyDown: () => {},
    countBoot: () => {},
    countCrash: () => {},
  },
  delays: {
    bootTime: ({ context }) => context.bootTimeMs,
    watchdog: ({ context }) => context.watchdogMs,
    rebootDelay: ({ context }) => context.rebootDelayMs,
  },
})

/** Builds the initial context from input; models use it as `context: firmwareContext`. */
export function firmwareContext({ input }: { input: FirmwareInput }): FirmwareContext {
  return {
    version: input.version,
    bootTimeMs: input.bootTimeMs,
    watchdogMs: input.watchdogMs,
    rebootDelayMs: input.rebootDelayMs ?? 500,
    boots: 0,
    crashes: 0,
  }
}

export type FirmwareMachine = ReturnType<typeof firmwareSetup.createMachine>
