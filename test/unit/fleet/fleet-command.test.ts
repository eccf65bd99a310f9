/**
 * fleet.command(): commands delivered in-process to a virtual-time fleet of OTA devices (no sockets),
 * with the outcome of every device predicted from its seeded `ota` stream.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { VirtualClock, deriveStream } from '../../../src/core/index.js'
import { Fleet, loadFleet } from '../../../src/fleet/index.js'

const FLEET = 'test/fixtures/ota/ota-rollout.fleet.yaml'
const EPOCH = Date.UTC(2026, 0, 1)
const SEED = 33

let fleet: Fleet | undefined
afterEach(async () => {
  await fleet?.stop()
  fleet = undefined
})

async function virtualFleet(devices = 30) {
  const clock = new VirtualClock({ epochMs: EPOCH })
  fleet = new Fleet(loadFleet(FLEET, { devices }), { seed: SEED, clock, transport: 'in-process', metricsPort: false })
  await fleet.start()
  clock.runUntil(EPOCH + 2_000)
  expect(fleet.count({ connectivity: 'online' })).toBe(devices)
  return { fleet, clock }
}

/** What each device's first update must do, from the same seeded stream the device draws from (rates 0.05 / 0.05). */
function predict(id: string): 'done' | 'verify' | 'boot' {
  const s = deriveStream(SEED, id, 'ota')
  const verifyRoll = s.next()
  const bootRoll = s.next()
  return verifyRoll < 0.05 ? 'verify' : bootRoll < 0.05 ? 'boot' : 'done'
}

describe('fleet.command()', () => {
  it('sends an OTA to every device of a target and resolves with each one’s replies; the outcome of each is the predicted one', async () => {
    const { fleet, clock } = await virtualFleet(60)
    const pending = fleet.command({ group: 'lab' }, 'ota', { version: '2.0.0' })
    clock.runUntil(EPOCH + 30_000)
    const outcomes = await pending
    expect(outcomes).toHaveLength(60)
    for (const o of outcomes) {
      const expected = predict(o.deviceId)
      expect(o.replies[0], o.deviceId).toEqual({ id: 'fleet-1', status: 'accepted' })
      expect(o.replies.filter((r) => ['done', 'failed', 'rejected'].includes(r.status))).toEqual([o.final])
      expect(o.replies.slice(1, -1).every((r) => r.status === 'progress')).toBe(true)
      if (expected === 'done') expect(o.final, o.deviceId).toEqual({ id: 'fleet-1', status: 'done', reason: 'running 2.0.0', version: '2.0.0' })
      if (expected === 'verify') expect(o.final!.reason, o.deviceId).toMatch(/^verify failed/)
      if (expected === 'boot') expect(o.final!.reason, o.deviceId).toBe('rolled back to 1.0.0: 2.0.0 failed to boot')
      expect(fleet.device(o.deviceId)!.firmwareVersion).toBe(expected === 'done' ? '2.0.0' : '1.0.0')
    }
    // The seed gives all three outcomes here, so the test covers them.
    expect(new Set(outcomes.map((o) => predict(o.deviceId)))).toEqual(new Set(['done', 'verify', 'boot']))
  })

  it('targets ids (each once) or a seeded count; ids get their own command id', async () => {
    const { fleet, clock } = await virtualFleet(10)
    const ping = fleet.command(['ota-002', 'ota-003', 'ota-002'], 'ping', {}, { id: 'p-1' })
    const outcomes = await ping
    expect(outcomes.map((o) => o.deviceId)).toEqual(['ota-002', 'ota-003'])
    expect(outcomes.map((o) => o.final?.status)).toEqual(['done', 'done'])
    expect(outcomes[0]!.final!.id).toBe('p-1')
    const some = await fleet.command({ count: 3 }, 'ping')
    const again = await fleet.command({ count: 3 }, 'ping', {}, { id: 'fleet-2' })
    expect(some.map((o) => o.deviceId)).toEqual(again.map((o) => o.deviceId))
    expect(some).toHaveLength(3)
    clock.runUntil(EPOCH + 3_000)
  })

  it('bad commands come back rejected, with the reason', async () => {
    const { fleet } = await virtualFleet(2)
    const [a] = await fleet.command(['ota-001'], 'ota', { version: 7 })
    expect(a!.final).toEqual({ id: 'fleet-1', status: 'rejected', reason: 'params.version: expected a string, got the number 7' })
    const [b] = await fleet.command(['ota-001'], 'launch')
    expect(b!.final!.reason).toMatch(/^unknown command "launch"/)
  })

  it('a device that is not online does not get it; a device that does not answer in time times out', async () => {
    const { fleet, clock } = await virtualFleet(3)
    fleet.inject({ kind: 'disconnect', target: { ids: ['ota-002'] }, durationMs: 60_000 })
    clock.runUntil(EPOCH + 2_100)
    const pending = fleet.command(['ota-001', 'ota-002'], 'ota', { version: '2.0.0', sizeBytes: 10_000_000 }, { timeoutMs: 5_000 })
    clock.runUntil(EPOCH + 8_000)
    const [ok, off] = await pending
    expect(off).toEqual({ deviceId: 'ota-002', replies: [], final: undefined, missing: 'offline' })
    expect(ok!.missing).toBe('timeout')
    expect(ok!.replies[0]!.status).toBe('accepted')
    expect(ok!.replies.length).toBeGreaterThan(3)
  })

  it('resolves with `stopped` for devices still busy when the fleet stops', async () => {
    const { fleet } = await virtualFleet(2)
    const pending = fleet.command({}, 'ota', { version: '2.0.0' })
    await fleet.stop()
    expect((await pending).map((o) => o.missing)).toEqual(['stopped', 'stopped'])
  })

  it('refuses unknown devices, bad targets and a fleet that is not running', async () => {
    const { fleet } = await virtualFleet(2)
    expect(() => fleet.command(['nope'], 'ping')).toThrow(expect.objectContaining({ code: 'FLEET_ERR_CORE_BAD_ARGUMENT', message: expect.stringContaining('"nope"') }))
    expect(() => fleet.command({ count: 1, fraction: 0.5 }, 'ping')).toThrow(expect.objectContaining({ code: 'FLEET_ERR_CORE_BAD_ARGUMENT' }))
    expect(() => fleet.command({ colour: 'red' } as never, 'ping')).toThrow(expect.objectContaining({ code: 'FLEET_ERR_CORE_BAD_ARGUMENT' }))
    expect(() => fleet.command([], 'ping', {}, { id: 'a/b' })).toThrow(expect.objectContaining({ code: 'FLEET_ERR_CORE_BAD_ARGUMENT' }))
    await fleet.stop()
    expect(() => fleet.command(['ota-001'], 'ping')).toThrow(expect.objectContaining({ code: 'FLEET_ERR_FLEET_STATE' }))
    const idle = new Fleet(loadFleet(FLEET, { devices: 1 }), { transport: 'in-process', metricsPort: false, clock: new VirtualClock() })
    expect(() => idle.command(['ota-001'], 'ping')).toThrow(expect.objectContaining({ code: 'FLEET_ERR_FLEET_STATE' }))
  })
})
