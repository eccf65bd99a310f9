import { describe, expect, it, vi } from 'vitest'
import { createActor } from 'xstate'
import { VirtualClock } from '../../../src/core/clock.js'
import { deviceMachine, type DeviceMachineEvent } from '../../../src/device/device.machine.js'

const BACKOFF_MS = 1_500
const CONNECT_TIMEOUT_MS = 10_000
/** connectTimeout + 5 s: the backstop for a link that never reports an outcome. */
const WATCHDOG_MS = CONNECT_TIMEOUT_MS + 5_000

/**
 * The device machine with every action spied on, and the backoff a device keeps played here: a fixed
 * delay, so timing is exact, then `link.retry`; cancelled when the machine leaves backing-off.
 */
function start(hasBattery = true) {
  const clock = new VirtualClock()
  const spies = {
    openLink: vi.fn(),
    endLink: vi.fn(),
    dropLink: vi.fn(),
    onOnline: vi.fn(),
    resetAttempts: vi.fn(),
    startBackoff: vi.fn(),
    cancelBackoff: vi.fn(),
    powerOff: vi.fn(),
  }
  const device = { attempt: 0, timer: undefined as unknown }
  const machine = deviceMachine.provide({
    actions: {
      openLink: () => spies.openLink(clock.now()),
      endLink: () => spies.endLink(),
      dropLink: () => spies.dropLink(),
      onOnline: () => spies.onOnline(),
      resetAttempts: () => {
        spies.resetAttempts()
        device.attempt = 0
      },
      startBackoff: ({ self }) => {
        spies.startBackoff(device.attempt++)
        device.timer = clock.setTimeout(() => self.send({ type: 'link.retry' }), BACKOFF_MS)
      },
      cancelBackoff: () => {
        spies.cancelBackoff()
        clock.clearTimeout(device.timer)
      },
      powerOff: () => spies.powerOff(),
    },
  })
  const actor = createActor(machine, { clock, input: { hasBattery, connectTimeoutMs: CONNECT_TIMEOUT_MS } })
  actor.start()
  const send = (...types: DeviceMachineEvent['type'][]) => {
    for (const type of types) actor.send({ type } as DeviceMachineEvent)
  }
  const value = () => actor.getSnapshot().value as { connectivity: string; battery: string; sensors: string }
  return { actor, clock, spies, send, value, device }
}

describe('device machine: connectivity', () => {
  it('starts offline and does nothing until power.up', () => {
    const { value, spies, send } = start()
    expect(value()).toEqual({ connectivity: 'offline', battery: 'ok', sensors: 'ok' })
    send('link.connected', 'link.failed', 'link.closed')
    expect(value().connectivity).toBe('offline')
    expect(spies.openLink).not.toHaveBeenCalled()
  })

  it('offline --power.up--> connecting (openLink) --link.connected--> online (resetAttempts, onOnline)', () => {
    const { value, spies, send } = start()
    send('power.up')
    expect(value().connectivity).toBe('connecting')
    expect(spies.openLink).toHaveBeenCalledOnce()
    send('link.connected')
    expect(value().connectivity).toBe('online')
    expect(spies.resetAttempts).toHaveBeenCalledOnce()
    expect(spies.onOnline).toHaveBeenCalledOnce()
  })

  it('link.failed → backing-off (startBackoff) → connecting again when the device’s backoff sends link.retry', () => {
    const { value, spies, send, clock, device } = start()
    send('power.up', 'link.failed')
    expect(value().connectivity).toBe('backing-off')
    expect(spies.startBackoff).toHaveBeenLastCalledWith(0)
    clock.advanceBy(BACKOFF_MS - 1)
    expect(value().connectivity).toBe('backing-off')
    expect(spies.openLink).toHaveBeenCalledTimes(1)
    clock.advanceBy(1)
    expect(value().connectivity).toBe('connecting')
    expect(spies.openLink).toHaveBeenCalledTimes(2)
    expect(spies.openLink).toHaveBeenLastCalledWith(BACKOFF_MS)
    // The attempt counter grows per failure and is reset on success.
    send('link.failed')
    expect(spies.startBackoff).toHaveBeenLastCalledWith(1)
    expect(device.attempt).toBe(2)
    clock.advanceBy(BACKOFF_MS)
    send('link.connected')
    expect(value().connectivity).toBe('online')
    expect(spies.resetAttempts).toHaveBeenCalledOnce()
    expect(device.attempt).toBe(0)
    // Leaving backing-off cancels the device's backoff, each time.
    expect(spies.cancelBackoff).toHaveBeenCalledTimes(2)
  })

  it('online --link.closed--> backing-off, then reconnects after the backoff', () => {
    const { value, spies, send, clock } = start()
    send('power.up', 'link.connected', 'link.closed')
    expect(value().connectivity).toBe('backing-off')
    expect(spies.startBackoff).toHaveBeenCalledWith(0)
    expect(spies.dropLink).not.toHaveBeenCalled()
    clock.advanceBy(BACKOFF_MS)
    expect(value().connectivity).toBe('connecting')
  })

  it.each([
    ['connecting', ['power.up'], true],
    ['online', ['power.up', 'link.connected'], true],
    ['backing-off', ['power.up', 'link.failed'], false],
    ['offline', [], false],
  ] as const)('power.down from %s → offline (dropLink only when a link may be up)', (_from, events, drops) => {
    const { value, spies, send, clock } = start()
    send(...events)
    send('power.down')
    expect(value().connectivity).toBe('offline')
    expect(spies.dropLink).toHaveBeenCalledTimes(drops ? 1 : 0)
    // No pending backoff reconnects an offline device.
    const opens = spies.openLink.mock.calls.length
    clock.advanceBy(60_000)
    expect(spies.openLink).toHaveBeenCalledTimes(opens)
    expect(value().connectivity).toBe('offline')
    expect(clock.pending).toBe(0)
  })

  it.each([
    ['offline', []],
    ['connecting', ['power.up']],
    ['online', ['power.up', 'link.connected']],
    ['backing-off', ['power.up', 'link.failed']],
  ] as const)('link.stop from %s → stopped (endLink), final: nothing reconnects it', (_from, events) => {
    const { value, spies, send, clock } = start()
    send(...events)
    send('link.stop')
    expect(value().connectivity).toBe('stopped')
    expect(spies.endLink).toHaveBeenCalledOnce()
    const opens = spies.openLink.mock.calls.length
    clock.advanceBy(60_000)
    send('power.up', 'link.connected', 'link.failed')
    expect(value().connectivity).toBe('stopped')
    expect(spies.openLink).toHaveBeenCalledTimes(opens)
  })

  it('a connect attempt with no outcome is abandoned after connectTimeout + 5 s (dropLink), then retried after the backoff', () => {
    const { value, spies, send, clock } = start()
    send('power.up')
    clock.advanceBy(WATCHDOG_MS - 1)
    expect(value().connectivity).toBe('connecting')
    expect(spies.dropLink).not.toHaveBeenCalled()
    clock.advanceBy(1)
    expect(value().connectivity).toBe('backing-off')
    expect(spies.dropLink).toHaveBeenCalledOnce()
    expect(spies.startBackoff).toHaveBeenCalledWith(0)
    clock.advanceBy(BACKOFF_MS)
    expect(value().connectivity).toBe('connecting')
    expect(spies.openLink).toHaveBeenCalledTimes(2)
  })

  it('the connect watchdog is cancelled by any outcome', () => {
    const { value, spies, send, clock } = start()
    send('power.up')
    clock.advanceBy(1_000)
    send('link.connected')
    clock.advanceBy(WATCHDOG_MS * 2)
    expect(value().connectivity).toBe('online')
    expect(spies.dropLink).not.toHaveBeenCalled()
  })

  it('link.retry in backing-off connects at once and cancels the pending backoff', () => {
    const { value, spies, send, clock } = start()
    send('power.up', 'link.failed')
    clock.advanceBy(100)
    send('link.retry')
    expect(value().connectivity).toBe('connecting')
    expect(spies.openLink).toHaveBeenCalledTimes(2)
    expect(spies.openLink).toHaveBeenLastCalledWith(100)
    send('link.connected')
    clock.advanceBy(BACKOFF_MS * 2)
    expect(value().connectivity).toBe('online')
    expect(spies.openLink).toHaveBeenCalledTimes(2)
  })

  it.each([
    ['offline', []],
    ['connecting', ['power.up']],
    ['online', ['power.up', 'link.connected']],
  ] as const)('link.retry is ignored in %s', (from, events) => {
    const { value, spies, send } = start()
    send(...events)
    const opens = spies.openLink.mock.calls.length
    send('link.retry')
    expect(value().connectivity).toBe(from)
    expect(spies.openLink).toHaveBeenCalledTimes(opens)
  })

  it('link.bounce from online drops the session and connects again at once', () => {
    const { value, spies, send } = start()
    send('power.up', 'link.connected', 'link.bounce')
    expect(value().connectivity).toBe('connecting')
    expect(spies.dropLink).toHaveBeenCalledOnce()
    expect(spies.openLink).toHaveBeenCalledTimes(2)
    expect(spies.startBackoff).not.toHaveBeenCalled()
  })

  it.each([
    ['offline', []],
    ['connecting', ['power.up']],
    ['backing-off', ['power.up', 'link.failed']],
  ] as const)('link.bounce is ignored in %s', (from, events) => {
    const { value, spies, send } = start()
    send(...events)
    send('link.bounce')
    expect(value().connectivity).toBe(from)
    expect(spies.dropLink).not.toHaveBeenCalled()
  })
})

describe('device machine: battery', () => {
  it('init → ok with a battery, → mains without one', () => {
    expect(start(true).value().battery).toBe('ok')
    expect(start(false).value().battery).toBe('mains')
  })

  it('mains ignores battery events', () => {
    const { value, send, spies } = start(false)
    send('battery.low', 'battery.critical', 'battery.dead')
    expect(value().battery).toBe('mains')
    expect(spies.powerOff).not.toHaveBeenCalled()
  })

  it('ok → low → critical → dead, and dead runs powerOff once', () => {
    const { value, send, spies } = start()
    send('battery.low')
    expect(value().battery).toBe('low')
    send('battery.critical')
    expect(value().battery).toBe('critical')
    expect(spies.powerOff).not.toHaveBeenCalled()
    send('battery.dead')
    expect(value().battery).toBe('dead')
    expect(spies.powerOff).toHaveBeenCalledOnce()
    send('battery.dead', 'battery.low', 'battery.critical')
    expect(value().battery).toBe('dead')
    expect(spies.powerOff).toHaveBeenCalledOnce()
  })

  it.each([
    ['ok', [], 'battery.critical', 'critical'],
    ['ok', [], 'battery.dead', 'dead'],
    ['low', ['battery.low'], 'battery.dead', 'dead'],
    ['low', ['battery.low'], 'battery.low', 'low'],
    ['critical', ['battery.critical'], 'battery.low', 'critical'],
    ['low', ['battery.low'], 'battery.charged', 'ok'],
    ['critical', ['battery.critical'], 'battery.charged', 'ok'],
    ['dead', ['battery.dead'], 'battery.charged', 'ok'],
  ] as const)('%s --%s--> %s', (_from, before, event, to) => {
    const { value, send } = start()
    send(...before)
    send(event)
    expect(value().battery).toBe(to)
  })

  it('battery regions do not disturb connectivity', () => {
    const { value, send } = start()
    send('power.up', 'link.connected', 'battery.low', 'battery.critical')
    expect(value().connectivity).toBe('online')
  })
})

describe('device machine: sensors', () => {
  it('ok --sensors.faulted--> faulted --sensors.recovered--> ok', () => {
    const { value, send } = start()
    send('sensors.recovered')
    expect(value().sensors).toBe('ok')
    send('sensors.faulted')
    expect(value().sensors).toBe('faulted')
    send('sensors.faulted')
    expect(value().sensors).toBe('faulted')
    send('sensors.recovered')
    expect(value().sensors).toBe('ok')
  })
})

it('the unbound machine has no-op actions: backing-off waits for link.retry (the device owns the backoff timer)', () => {
  const clock = new VirtualClock()
  const actor = createActor(deviceMachine, { clock, input: { hasBattery: false, connectTimeoutMs: 1_000 } })
  actor.start()
  actor.send({ type: 'power.up' })
  actor.send({ type: 'link.failed' })
  expect((actor.getSnapshot().value as { connectivity: string }).connectivity).toBe('backing-off')
  expect(clock.pending).toBe(0)
  clock.advanceBy(60_000)
  expect((actor.getSnapshot().value as { connectivity: string }).connectivity).toBe('backing-off')
  actor.send({ type: 'link.retry' })
  expect((actor.getSnapshot().value as { connectivity: string }).connectivity).toBe('connecting')
  actor.stop()
})
