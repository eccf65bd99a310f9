import { describe, expect, it } from 'vitest'
import { assign, createActor, createMachine, fromPromise, raise, setup, type AnyStateMachine, type EventObject } from 'xstate'
import { VirtualClock } from '../../../src/core/clock.js'
import { deriveStream } from '../../../src/core/rng.js'
import { deviceMachine } from '../../../src/device/device.machine.js'
import { MachineRunner, assertRunnable } from '../../../src/device/machine-runner.js'
import { builtinFirmwareModels } from '../../../firmware-models/index.js'

/** A machine with its named actions recorded (name, event, params) into the log of the device that ran them. */
function recorded(machine: AnyStateMachine, names: readonly string[], logOf: (self: unknown) => string[]): AnyStateMachine {
  const actions: Record<string, (args: { event: EventObject; self: unknown }, params: unknown) => void> = {}
  for (const name of names) actions[name] = ({ event, self }, params) => void logOf(self).push(`${name}(${event.type}${params === undefined ? '' : ' ' + JSON.stringify(params)})`)
  return machine.provide({ actions } as never)
}

const DEVICE_ACTIONS = ['openLink', 'endLink', 'dropLink', 'onOnline', 'resetAttempts', 'startBackoff', 'cancelBackoff', 'powerOff', 'powerOn']
const FIRMWARE_ACTIONS = ['notifyUp', 'notifyDown', 'countBoot', 'countCrash', 'applyConfig', 'reportFirmware', 'otaProgress', 'otaFinished']
const DEVICE_EVENTS = ['power.up', 'power.down', 'link.connected', 'link.failed', 'link.closed', 'link.retry', 'link.bounce', 'battery.low', 'battery.critical', 'battery.dead', 'battery.charged', 'sensors.faulted', 'sensors.recovered']
const FIRMWARE_INPUT = { version: '1.0.0', bootTimeMs: 500, watchdogMs: 8_000, rebootDelayMs: 500, ota: { imageBytes: 200_000, downloadBytesPerSec: 100_000, verifyFailureRate: 0.3, bootFailureRate: 0.3 } }

function firmwareEvent(pick: () => number, n: number): EventObject {
  // Firmware events carry fields besides `type`.
  type Ev = EventObject & Record<string, unknown>
  const types = ['command.reboot', 'firmware.crash', 'firmware.hang', 'power.off', 'power.on', 'link.online', 'link.offline', 'command.factory_reset', 'command.config_set', 'command.ota', 'ota.fault']
  const type = types[Math.floor(pick() * types.length)]!
  if (type === 'command.config_set') return <Ev>{ type, config: { samplePeriodMs: 1_000 * (1 + Math.floor(pick() * 5)) } }
  if (type === 'command.ota') return <Ev>{ type, cmdId: `c${n}`, version: `2.0.${n % 3}`, verifyRoll: pick(), bootRoll: pick() }
  if (type === 'ota.fault') return pick() < 0.5 ? { type } : <Ev>{ type, stage: (['download', 'verify', 'boot'] as const)[Math.floor(pick() * 3)] }
  return { type }
}

/**
 * Drives the same machine for several devices through XState Actors and through MachineRunners (the
 * runners share one machine, so one's transitions are replayed by the others), each side on its own
 * virtual clock, with the same seeded mix of events to random devices and clock advances: after every
 * step each device's runner must agree with its actor on state, context, the actions run (in order)
 * and the timers pending. Returns how many transitions the runners replayed.
 */
function compare(machine: AnyStateMachine, actionNames: readonly string[], input: unknown, nextEvent: (pick: () => number, n: number) => EventObject, seed: number, steps: number, devices = 4): { transitions: number } {
  const actorClock = new VirtualClock()
  const runnerClock = new VirtualClock()
  const actorLogs = new Map<unknown, string[]>()
  const runnerLogs: string[][] = Array.from({ length: devices }, () => [])
  const actorMachine = recorded(machine, actionNames, (self) => actorLogs.get(self)!)
  const runnerMachine = recorded(machine, actionNames, (self) => runnerLogs[(self as MachineRunner<number>).owner]!)
  const actors = Array.from({ length: devices }, () => {
    const actor = createActor(actorMachine, { clock: actorClock, input })
    actorLogs.set(actor, [])
    return actor
  })
  const runners = Array.from({ length: devices }, (_, i) => new MachineRunner(runnerMachine, runnerClock, input, i, () => undefined, (e) => { throw e }))
  for (let i = 0; i < devices; i++) {
    actors[i]!.start()
    runners[i]!.start()
  }
  const rng = deriveStream(seed, 'machine-runner', 'events')
  const pick = () => rng.next()
  let transitions = 0
  for (let n = 0; n < steps; n++) {
    if (pick() < 0.3) {
      const ms = Math.floor(pick() * 20_000)
      actorClock.advanceBy(ms)
      runnerClock.advanceBy(ms)
    } else {
      const d = Math.floor(pick() * devices)
      const event = nextEvent(pick, n)
      const before = JSON.stringify(runners[d]!.getSnapshot().value)
      actors[d]!.send(event)
      runners[d]!.send(event)
      if (JSON.stringify(runners[d]!.getSnapshot().value) !== before) transitions++
    }
    for (let d = 0; d < devices; d++) {
      const a = actors[d]!.getSnapshot()
      const r = runners[d]!.getSnapshot()
      expect({ step: n, device: d, value: r.value, context: r.context, status: r.status }).toEqual({ step: n, device: d, value: a.value, context: a.context, status: a.status })
      expect(runnerLogs[d]).toEqual(actorLogs.get(actors[d]))
    }
    expect(runnerClock.pending).toBe(actorClock.pending)
  }
  for (let d = 0; d < devices; d++) {
    actors[d]!.stop()
    runners[d]!.stop()
  }
  expect(runnerClock.pending).toBe(0)
  return { transitions }
}

describe('MachineRunner: the same behaviour as an XState Actor', () => {
  it('the device machine (parallel regions, eventless, delayed transitions), four devices sharing its transitions', () => {
    let transitions = 0
    for (const seed of [1, 2, 3]) {
      for (const hasBattery of [true, false]) {
        transitions += compare(deviceMachine, DEVICE_ACTIONS, { hasBattery, connectTimeoutMs: 10_000 }, (pick) => ({ type: DEVICE_EVENTS[Math.floor(pick() * DEVICE_EVENTS.length)]! }), seed, 600, 6).transitions
      }
    }
    expect(transitions).toBeGreaterThan(300)
  })

  for (const [name, model] of Object.entries(builtinFirmwareModels)) {
    it(`the ${name} firmware model (guards, assign, enqueueActions, nested states, events with payloads), four devices`, () => {
      let transitions = 0
      for (const seed of [11, 12, 13, 14]) transitions += compare(model, FIRMWARE_ACTIONS, FIRMWARE_INPUT, firmwareEvent, seed, 400).transitions
      expect(transitions).toBeGreaterThan(100)
    })
  }

  it('devices of one machine replay each other’s transitions: the snapshots are shared, the effects each device’s own', () => {
    const clock = new VirtualClock()
    const opened: number[] = []
    const machine = deviceMachine.provide({ actions: { openLink: ({ self }) => void opened.push((self as unknown as MachineRunner<number>).owner) } })
    const input = { hasBattery: false, connectTimeoutMs: 10_000 }
    const runners = [0, 1, 2].map((i) => new MachineRunner(machine, clock, input, i, () => undefined, (e) => { throw e }))
    for (const r of runners) r.start()
    expect(runners[1]!.getSnapshot()).toBe(runners[0]!.getSnapshot())
    for (const r of runners) r.send({ type: 'power.up' })
    expect(runners[2]!.getSnapshot()).toBe(runners[0]!.getSnapshot())
    expect(opened).toEqual([0, 1, 2])
    // Each armed its own connect watchdog, and each one's fires for it alone.
    expect(clock.pending).toBe(3)
    runners[0]!.send({ type: 'link.connected' })
    expect(clock.pending).toBe(2)
    clock.advanceBy(15_000)
    expect(runners.map((r) => (r.getSnapshot().value as { connectivity: string }).connectivity)).toEqual(['online', 'backing-off', 'backing-off'])
    // A replayed transition cancels the replaying device's own timers: connected, the watchdogs go.
    for (const r of runners.slice(1)) r.send({ type: 'link.retry' })
    expect(clock.pending).toBe(2)
    for (const r of runners.slice(1)) r.send({ type: 'link.connected' })
    expect(clock.pending).toBe(0)
    expect(runners[2]!.getSnapshot()).toBe(runners[0]!.getSnapshot())
    for (const r of runners) r.stop()
  })
})

describe('MachineRunner: the actor semantics it keeps', () => {
  const pingPong = setup({ types: { events: {} as { type: 'go' } | { type: 'next' } }, actions: { kick: () => {}, seen: () => {} } }).createMachine({
    initial: 'a',
    states: {
      a: { on: { go: { target: 'b', actions: 'kick' } } },
      b: { entry: 'seen', on: { next: 'c' } },
      c: { after: { 1000: 'a' } },
    },
  })

  it('an event sent by an action waits until the transition in progress is done, then runs', () => {
    const order: string[] = []
    const clock = new VirtualClock()
    const machine = pingPong.provide({
      actions: {
        kick: ({ self }) => {
          order.push('kick')
          ;(self as unknown as MachineRunner).send({ type: 'next' })
          order.push('kick returned')
        },
        seen: () => void order.push('entered b'),
      },
    })
    const runner = new MachineRunner(machine, clock, undefined, undefined, (s) => order.push(`snapshot ${String(s.value)}`), () => undefined)
    runner.start()
    runner.send({ type: 'go' })
    expect(order).toEqual(['snapshot a', 'kick', 'kick returned', 'entered b', 'snapshot b', 'snapshot c'])
    clock.advanceBy(1000)
    expect(runner.getSnapshot().value).toBe('a')
  })

  it('events sent before start() are kept for it; the initial entry actions run at start()', () => {
    const log: string[] = []
    const machine = createMachine({ initial: 'a', states: { a: { entry: () => log.push('entry a'), on: { go: 'b' } }, b: {} } })
    const runner = new MachineRunner(machine, new VirtualClock(), undefined, 'owner', () => undefined, () => undefined)
    runner.send({ type: 'go' })
    expect(log).toEqual([])
    expect(runner.getSnapshot().value).toBe('a')
    runner.start()
    expect(log).toEqual(['entry a'])
    expect(runner.getSnapshot().value).toBe('b')
    expect(runner.owner).toBe('owner')
  })

  it('delayed raises and `after` run on its clock; stop() clears every pending timer and later events are ignored', () => {
    const clock = new VirtualClock()
    const machine = createMachine({
      initial: 'idle',
      states: {
        idle: { entry: raise({ type: 'wake' }, { delay: 500, id: 'alarm' }), on: { wake: 'awake' } },
        awake: { after: { 2000: 'idle' } },
      },
    })
    const runner = new MachineRunner(machine, clock, undefined, undefined, () => undefined, () => undefined)
    runner.start()
    expect(clock.pending).toBe(1)
    clock.advanceBy(499)
    expect(runner.getSnapshot().value).toBe('idle')
    clock.advanceBy(1)
    expect(runner.getSnapshot().value).toBe('awake')
    clock.advanceBy(2000)
    expect(runner.getSnapshot().value).toBe('idle')
    expect(clock.pending).toBe(1)
    runner.stop()
    expect(clock.pending).toBe(0)
    runner.send({ type: 'wake' })
    expect(runner.getSnapshot().value).toBe('idle')
  })

  it('leaving a state cancels its delayed transition', () => {
    const clock = new VirtualClock()
    const machine = createMachine({ initial: 'a', states: { a: { after: { 1000: 'timedOut' }, on: { go: 'b' } }, b: {}, timedOut: {} } })
    const runner = new MachineRunner(machine, clock, undefined, undefined, () => undefined, () => undefined)
    runner.start()
    runner.send({ type: 'go' })
    expect(clock.pending).toBe(0)
    clock.advanceBy(5000)
    expect(runner.getSnapshot().value).toBe('b')
  })

  it('a throwing action stops the machine and is handed to onError; the rest of the process runs on', () => {
    const errors: unknown[] = []
    const clock = new VirtualClock()
    const machine = createMachine({
      initial: 'a',
      states: {
        a: { after: { 1000: 'a' }, on: { boom: { target: 'b', actions: () => { throw new Error('model bug') } } } },
        b: {},
      },
    })
    const runner = new MachineRunner(machine, clock, undefined, undefined, () => undefined, (e) => errors.push(e))
    runner.start()
    runner.send({ type: 'boom' })
    expect(errors).toHaveLength(1)
    expect((errors[0] as Error).message).toBe('model bug')
    expect(runner.getSnapshot().status).toBe('error')
    expect(clock.pending).toBe(0)
    runner.send({ type: 'boom' })
    expect(errors).toHaveLength(1)
  })

  it('a machine whose context factory throws fails at start(), not when it is made', () => {
    const errors: unknown[] = []
    const machine = setup({ types: { context: {} as { n: number } } }).createMachine({
      context: () => {
        throw new Error('bad input')
      },
      initial: 'a',
      states: { a: {} },
    })
    const runner = new MachineRunner(machine, new VirtualClock(), undefined, undefined, () => undefined, (e) => errors.push(e))
    expect(errors).toEqual([])
    runner.start()
    expect((errors[0] as Error).message).toBe('bad input')
  })

  it('an assign reads the context the actions before it left', () => {
    const machine = setup({ types: { context: {} as { n: number } } }).createMachine({
      context: { n: 1 },
      initial: 'a',
      states: { a: { on: { go: { actions: [assign({ n: ({ context }) => context.n * 10 }), assign({ n: ({ context }) => context.n + 2 })] } } } },
    })
    const runner = new MachineRunner(machine, new VirtualClock(), undefined, undefined, () => undefined, () => undefined)
    runner.start()
    runner.send({ type: 'go' })
    expect(runner.getSnapshot().context).toEqual({ n: 12 })
  })
})

describe('assertRunnable', () => {
  it('accepts the device machine and every built-in firmware model', () => {
    expect(() => assertRunnable(deviceMachine)).not.toThrow()
    for (const model of Object.values(builtinFirmwareModels)) expect(() => assertRunnable(model)).not.toThrow()
  })

  it('refuses a machine that invokes an actor, naming the state', () => {
    const machine = createMachine({ id: 'fw', initial: 'fetching', states: { fetching: { invoke: { src: fromPromise(async () => 1) } } } })
    expect(() => assertRunnable(machine)).toThrow(/invoke \(state "fw.fetching" of machine "fw"\).*firmware models are pure/)
  })
})
