import mqtt from 'mqtt'
import { afterEach, describe, expect, it } from 'vitest'
import { startFleet, type Fleet } from '../../src/index.js'

describe('in-memory links into the embedded broker', () => {
  let fleet: Fleet | undefined
  afterEach(async () => {
    await fleet?.stop()
    fleet = undefined
  })

  it('devices connect without sockets; a TCP subscriber sees their telemetry and wills; a broker restart cuts and restores them', async () => {
    fleet = await startFleet('test/fixtures/integration/fast.fleet.yaml', { seed: 3, brokerPort: 0, metricsPort: false, links: 'memory' })
    const sub = await mqtt.connectAsync(fleet.brokerUrl, { clientId: 'observer', reconnectPeriod: 200 })
    const seen = new Set<string>()
    const wills: string[] = []
    sub.on('message', (topic, payload) => {
      const [, id, kind] = topic.split('/')
      if (kind === 'telemetry') seen.add(id!)
      if (kind === 'status' && payload.toString() === 'offline') wills.push(id!)
    })
    await sub.subscribeAsync(['devices/+/telemetry', 'devices/+/status'], { qos: 1 })
    try {
      await fleet.waitFor((f) => f.count({ connectivity: 'online' }) === 60, { timeoutMs: 10_000 })
      // Only the observer holds a TCP connection: every device is on a pipe.
      expect(fleet.embeddedBroker!.stats().clientsConnected).toBe(61)
      await fleet.waitFor(() => seen.size === 60, { timeoutMs: 5_000 })
      const { deviceIds } = fleet.inject({ kind: 'disconnect', target: { count: 4 }, durationMs: 500 })
      await fleet.waitFor(() => deviceIds.every((id) => wills.includes(id)), { timeoutMs: 5_000 })
      await fleet.waitFor((f) => f.count({ connectivity: 'online' }) === 60, { timeoutMs: 10_000 })
      const outcomes = { ...fleet.stats.connectOutcomes }
      fleet.inject({ kind: 'broker-restart', durationMs: 1_500 })
      await fleet.waitFor((f) => f.count({ connectivity: 'online' }) === 0, { timeoutMs: 3_000 })
      await fleet.waitFor((f) => f.count({ connectivity: 'online' }) === 60, { timeoutMs: 10_000 })
      // Attempts while the broker was down were refused, as over TCP (not left to time out).
      const during = (k: string) => (fleet!.stats.connectOutcomes[k] ?? 0) - (outcomes[k] ?? 0)
      expect(during('unreachable')).toBeGreaterThan(0)
      expect(during('timeout')).toBe(0)
    } finally {
      await sub.endAsync(true)
    }
  })
})
