import { setup } from 'xstate'

/**
 * Connectivity, battery and sensor health of one device, as parallel regions. Pure: every effect is a
 * named action bound per device by VirtualDevice through `machine.provide()`, and guards and delays
 * read only the context — so devices share its transitions (TransitionMemo). The backoff delay is
 * drawn from each device's own seeded stream, so the device keeps that timer (`startBackoff` arms it,
 * `cancelBackoff` clears it; it sends `link.retry`). Telemetry sampling is not a transition here
 * either: a sampler on the clock reads these states instead.
 *
 * connectivity:  offline --power.up--> connecting --link.connected--> online
 *                connecting --link.failed--> backing-off --link.retry (the device's backoff timer)--> connecting
 *                online --link.closed--> backing-off;  any --power.down--> offline;  any --link.stop--> stopped
 */
export interface DeviceMachineContext {
  hasBattery: boolean
  /** Longest a connect attempt may take before the device gives up on it (connect timeout + margin). */
  connectWatchdogMs: number
}

export type DeviceMachineEvent =
  | { type: 'power.up' }
  | { type: 'power.down' }
  | { type: 'link.connected' }
  | { type: 'link.failed' }
  | { type: 'link.closed' }
  | { type: 'link.stop' }
  /** The backoff is over (the device's timer), or retry now without waiting for it (all devices at once: a reconnect storm). */
  | { type: 'link.retry' }
  /** Drop the session and reconnect at once (to make the client resend unacknowledged publishes). */
  | { type: 'link.bounce' }
  | { type: 'battery.low' }
  | { type: 'battery.critical' }
  | { type: 'battery.dead' }
  | { type: 'battery.charged' }
  | { type: 'sensors.faulted' }
  | { type: 'sensors.recovered' }

export const deviceMachine = setup({
  types: {
    context: {} as DeviceMachineContext,
    events: {} as DeviceMachineEvent,
    input: {} as { hasBattery: boolean; connectTimeoutMs: number },
  },
  actions: {
    openLink: () => {},
    endLink: () => {},
    dropLink: () => {},
    onOnline: () => {},
    /** Draws this attempt's backoff delay and arms the timer that sends `link.retry`. */
    startBackoff: () => {},
    cancelBackoff: () => {},
    resetAttempts: () => {},
    powerOff: () => {},
    powerOn: () => {},
  },
  delays: {
    connectWatchdog: ({ context }) => context.connectWatchdogMs,
  },
  guards: {
    hasBattery: ({ context }) => context.hasBattery,
  },
}).createMachine({
  id: 'device',
  type: 'parallel',
  context: ({ input }) => ({ hasBattery: input.hasBattery, connectWatchdogMs: input.connectTimeoutMs + 5_000 }),
  states: {
    connectivity: {
      initial: 'offline',
      states: {
        offline: {
          on: { 'power.up': 'connecting' },
        },
        connecting: {
          entry: 'openLink',
          // The link reports every outcome; this is a backstop so no device waits forever.
          after: { connectWatchdog: { target: 'backing-off', actions: 'dropLink' } },
          on: {
            'link.connected': 'online',
            'link.failed': 'backing-off',
            'power.down': { target: 'offline', actions: 'dropLink' },
          },
        },
        online: {
          entry: ['resetAttempts', 'onOnline'],
          on: {
            'link.closed': 'backing-off',
            'link.bounce': { target: 'connecting', actions: 'dropLink' },
            'power.down': { target: 'offline', actions: 'dropLink' },
          },
        },
        'backing-off': {
          entry: 'startBackoff',
          exit: 'cancelBackoff',
          on: { 'power.down': 'offline', 'link.retry': 'connecting' },
        },
        stopped: { type: 'final' },
      },
      on: {
        'link.stop': { target: '.stopped', actions: 'endLink' },
      },
    },
    battery: {
      initial: 'init',
      states: {
        init: { always: [{ guard: 'hasBattery', target: 'ok' }, { target: 'mains' }] },
        mains: {},
        ok: { on: { 'battery.low': 'low', 'battery.critical': 'critical', 'battery.dead': 'dead' } },
        low: { on: { 'battery.critical': 'critical', 'battery.dead': 'dead', 'battery.charged': 'ok' } },
        critical: { on: { 'battery.dead': 'dead', 'battery.charged': 'ok' } },
        // Only a charger brings a dead battery back (see BatteryModel.canResume); the firmware boots again.
        dead: { entry: 'powerOff', exit: 'powerOn', on: { 'battery.charged': 'ok' } },
      },
    },
    sensors: {
      initial: 'ok',
      states: {
        ok: { on: { 'sensors.faulted': 'faulted' } },
        faulted: { on: { 'sensors.recovered': 'ok' } },
      },
    },
  },
})
