import { getAdjacencyMap, getShortestPaths, getSimplePaths } from '@xstate/graph'
import { describe, expect, it, vi } from 'vitest'
import { createActor, type SnapshotFrom } from 'xstate'
import { basicFirmware } from '../../../firmware-models/basic.machine.js'
import { builtinFirmwareModels } from '../../../firmware-models/index.js'
import { VirtualClock } from '../../../src/core/clock.js'
import { FIRMWARE_STATES, type FirmwareEvent, type FirmwareInput } from '../../../src/device/kit.js'

const INPUT: FirmwareInput = { version: '1.0.0', bootTimeMs: 2_000, watchdogMs: 8_000, rebootDelayMs: 500 }
const DELAY_OF: Record<string, number> = { bootTime: INPUT.bootTimeMs, watchdog: INPUT.watchdogMs, rebootDelay: INPUT.rebootDelayMs! }

type Snap = SnapshotFrom<typeof basicFirmware>
/** The kit events basic handles (none carries data). */
type BasicEventType = Extract<FirmwareEvent['type'], 'command.reboot' | 'firmware.crash' | 'power.off' | 'power.on'>
/** The counters grow with every boot, so the graph is walked over state values only. */
const traversal = { input: INPUT, serializeState: (s: Snap) => JSON.stringify(s.value) }

/** The basic model with its actions spied on, on a virtual clock. */
function start(input: FirmwareInput = INPUT) {
  const clock = new VirtualClock()
  const log: string[] = []
  const spies = { notifyUp: vi.fn(), notifyDown: vi.fn(), countBoot: vi.fn(), countCrash: vi.fn() }
  const machine = basicFirmware.provide({
    actions: {
      notifyUp: () => {
        spies.notifyUp(clock.now())
        log.push(`up@${clock.now()}`)
      },
      notifyDown: () => {
        spies.notifyDown(clock.now())
        log.push(`down@${clock.now()}`)
      },
      countBoot: () => spies.countBoot(),
      countCrash: () => spies.countCrash(),
    },
  })
  const actor = createActor(machine, { clock, input })
  const entered: [string, number][] = []
  actor.subscribe((s) => {
    const v = s.value as string
    if (entered.at(-1)?.[0] !== v) entered.push([v, clock.now()])
  })
  actor.start()
  const state = () => actor.getSnapshot().value as string
  const send = (type: BasicEventType) => actor.send({ type })
  return { clock, actor, spies, log, entered, state, send }
}

/** Replays a graph path on a real actor: `xstate.after.<delay>.…` steps advance the clock by exactly that delay. */
function replay(steps: readonly { event: { type: string } }[]) {
  const r = start()
  for (const { event } of steps) {
    if (event.type === 'xstate.init') continue
    const after = /^xstate\.after\.(\w+)\./.exec(event.type)
    if (after) {
      const delay = DELAY_OF[after[1]!]
      expect(delay, event.type).toBeDefined()
      expect(r.clock.nextDeadline()).toBe(r.clock.now() + delay!)
      r.clock.advanceBy(delay!)
    } else r.send(event.type as BasicEventType)
  }
  return r
}

describe('basic firmware: path coverage (@xstate/graph)', () => {
  it('every reachable state is one the fleet understands, and every one of those is reachable', () => {
    const paths = getShortestPaths(basicFirmware, traversal)
    const reached = new Set(paths.map((p) => p.state.value as string))
    expect(reached).toEqual(new Set(['booting', 'running', 'crashed', 'rebooting', 'off']))
    expect(reached).toEqual(new Set(FIRMWARE_STATES))
  })

  it('has exactly the documented transitions', () => {
    const adjacency = getAdjacencyMap(basicFirmware, traversal)
    const edges = Object.values(adjacency)
      .flatMap(({ state, transitions }) =>
        // Keys are serialized events (a template-literal type), so Object.values needs the value type spelled out.
        Object.values(transitions as Record<string, { event: { type: string }; state: Snap }>).map(({ event, state: next }) => `${state.value as string} --${event.type.replace(/^xstate\.after\.(\w+)\..*$/, 'after:$1')}--> ${next.value as string}`),
      )
      .sort()
    expect(edges).toEqual(
      [
        'booting --after:bootTime--> running',
        'booting --power.off--> off',
        'running --command.reboot--> rebooting',
        'running --firmware.crash--> crashed',
        'running --power.off--> off',
        'crashed --after:watchdog--> rebooting',
        'crashed --power.off--> off',
        'rebooting --after:rebootDelay--> booting',
        'rebooting --power.off--> off',
        'off --power.on--> booting',
        'off --power.off--> off',
      ].sort(),
    )
  })

  it('each shortest path, replayed on a real actor with a virtual clock, ends in its state', () => {
    const paths = getShortestPaths(basicFirmware, traversal)
    expect(paths.length).toBe(5)
    for (const path of paths) {
      const r = replay(path.steps)
      expect(r.state(), path.steps.map((s) => s.event.type).join(' > ')).toBe(path.state.value)
      r.actor.stop()
    }
  })

  it('each simple path, replayed, ends in its state with notifyUp/notifyDown balanced', () => {
    const paths = getSimplePaths(basicFirmware, traversal)
    expect(paths.length).toBeGreaterThanOrEqual(10)
    for (const path of paths) {
      const r = replay(path.steps)
      const target = path.state.value as string
      expect(r.state()).toBe(target)
      // Up exactly once per entry to running, down once per exit: the device's link follows the firmware.
      const ups = r.spies.notifyUp.mock.calls.length
      const downs = r.spies.notifyDown.mock.calls.length
      expect(ups - downs).toBe(target === 'running' ? 1 : 0)
      r.actor.stop()
    }
  })
})

describe('basic firmware: timing on a virtual clock', () => {
  it('boots for exactly bootTime', () => {
    const r = start()
    expect(r.state()).toBe('booting')
    r.clock.advanceBy(1_999)
    expect(r.state()).toBe('booting')
    r.clock.advanceBy(1)
    expect(r.state()).toBe('running')
    expect(r.log).toEqual(['up@2000'])
  })

  it('crash → watchdog → rebooting → booting → running at exact times', () => {
    const r = start()
    r.clock.advanceBy(5_000)
    r.send('firmware.crash') // at 5 s
    r.clock.advanceBy(20_000)
    expect(r.entered).toEqual([
      ['booting', 0],
      ['running', 2_000],
      ['crashed', 5_000],
      ['rebooting', 13_000], // + watchdog 8 s
      ['booting', 13_500], // + rebootDelay 0.5 s
      ['running', 15_500], // + bootTime 2 s
    ])
    expect(r.log).toEqual(['up@2000', 'down@5000', 'up@15500'])
  })

  it('command.reboot → rebooting for rebootDelay (500 ms by default) → booting', () => {
    const r = start({ version: '1', bootTimeMs: 100, watchdogMs: 1_000 })
    r.clock.advanceBy(100)
    r.send('command.reboot')
    r.clock.advanceBy(10_000)
    expect(r.entered).toEqual([
      ['booting', 0],
      ['running', 100],
      ['rebooting', 100],
      ['booting', 600],
      ['running', 700],
    ])
  })

  it('counts boots and crashes in context and through countBoot/countCrash', () => {
    const r = start()
    expect(r.actor.getSnapshot().context).toMatchObject({ boots: 1, crashes: 0 })
    for (let i = 0; i < 3; i++) {
      r.clock.advanceBy(2_000)
      r.send('firmware.crash')
      r.clock.advanceBy(8_500)
    }
    r.clock.advanceBy(2_000)
    r.send('command.reboot')
    r.clock.advanceBy(2_500)
    expect(r.state()).toBe('running')
    expect(r.actor.getSnapshot().context).toMatchObject({ boots: 5, crashes: 3, version: '1.0.0' })
    expect(r.spies.countBoot).toHaveBeenCalledTimes(5)
    expect(r.spies.countCrash).toHaveBeenCalledTimes(3)
  })

  it('events that do not apply are ignored (crash while booting, reboot while crashed, power.on while on)', () => {
    const r = start()
    r.send('firmware.crash')
    r.send('command.reboot')
    r.send('power.on')
    expect(r.state()).toBe('booting')
    r.clock.advanceBy(2_000)
    r.send('firmware.crash')
    r.send('command.reboot')
    r.send('firmware.crash')
    expect(r.state()).toBe('crashed')
    expect(r.actor.getSnapshot().context.crashes).toBe(1)
  })
})

describe('basic firmware: power', () => {
  const reach: Record<string, (r: ReturnType<typeof start>) => void> = {
    booting: () => {},
    running: (r) => r.clock.advanceBy(2_000),
    crashed: (r) => {
      r.clock.advanceBy(2_000)
      r.send('firmware.crash')
    },
    rebooting: (r) => {
      r.clock.advanceBy(2_000)
      r.send('command.reboot')
    },
    off: (r) => r.send('power.off'),
  }

  it.each(Object.keys(reach))('power.off from %s → off; its pending timers are cancelled; power.on boots again', (from) => {
    const r = start()
    reach[from]!(r)
    expect(r.state()).toBe(from)
    const downsBefore = r.spies.notifyDown.mock.calls.length
    r.send('power.off')
    expect(r.state()).toBe('off')
    // notifyDown only when leaving running.
    expect(r.spies.notifyDown.mock.calls.length - downsBefore).toBe(from === 'running' ? 1 : 0)
    expect(r.clock.pending).toBe(0)
    r.clock.advanceBy(60_000)
    expect(r.state()).toBe('off')
    const at = r.clock.now()
    r.send('power.on')
    expect(r.state()).toBe('booting')
    r.clock.advanceBy(2_000)
    expect(r.state()).toBe('running')
    expect(r.spies.notifyUp).toHaveBeenLastCalledWith(at + 2_000)
  })
})

it('is registered as the built-in "basic" model', () => {
  expect(builtinFirmwareModels.basic).toBe(basicFirmware)
})
