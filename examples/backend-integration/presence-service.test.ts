import { afterEach, describe, expect, it } from 'vitest'
import { startFleet, type Fleet } from 'fleet-emu'
import { PresenceService } from './presence-service.js'

/**
 * A backend integration test as a backend team would write it: start a fleet on an embedded broker,
 * point the service at it, break some devices, assert on what the service did, stop. Runs in CI.
 */
describe('presence service', () => {
  let fleet: Fleet | undefined
  let service: PresenceService | undefined
  afterEach(async () => {
    await service?.close()
    await fleet?.stop()
  })

  it('alerts for exactly the devices that drop off the network, and clears when they return', async () => {
    fleet = await startFleet('test/fixtures/integration/fast.fleet.yaml', { seed: 7, devices: 50, brokerPort: 0, metricsPort: false })
    service = await PresenceService.connect(fleet.brokerUrl)
    await fleet.waitFor((f) => f.count({ connectivity: 'online' }) === 50, { timeoutMs: 10_000 })
    const s = service
    await fleet.waitFor(() => s.online.size === 50, { timeoutMs: 5_000 })

    const { deviceIds } = fleet.inject({ kind: 'disconnect', target: { fraction: 0.2 }, durationMs: 1_500 })
    await fleet.waitFor(() => s.alerts.length === deviceIds.length, { timeoutMs: 5_000 })
    expect(s.alerts.map((a) => a.deviceId).sort()).toEqual([...deviceIds].sort())

    await fleet.waitFor((f) => f.count({ connectivity: 'online' }) === 50 && s.online.size === 50, { timeoutMs: 10_000 })
    // Ground truth: the fault log says exactly which devices were down, and when.
    // The faults themselves; their effects (each device's link dropout) name them as root cause.
    expect(fleet.faultLog.filter((r) => r.root_cause_id === null).map((r) => r.device_id).sort()).toEqual([...deviceIds].sort())
  })
})
