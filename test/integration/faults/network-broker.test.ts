import mqtt, { type MqttClient } from 'mqtt'
import { afterEach, describe, expect, it } from 'vitest'
import { startFleet, type Fleet } from '../../../src/index.js'

/** A backend stand-in: every status and telemetry message with its arrival time. */
async function observer(url: string) {
  const client: MqttClient = await mqtt.connectAsync(url, { clientId: `observer-${process.pid}`, reconnectPeriod: 200 })
  const status: { id: string; value: string; at: number }[] = []
  const telemetry: { id: string; seq: number }[] = []
  client.on('message', (topic, payload) => {
    const [, id, kind] = topic.split('/')
    if (kind === 'status') status.push({ id: id!, value: payload.toString(), at: performance.now() })
    else if (kind === 'telemetry') telemetry.push({ id: id!, seq: (JSON.parse(payload.toString()) as { seq: number }).seq })
  })
  await client.subscribeAsync(['devices/+/status', 'devices/+/telemetry'], { qos: 1 })
  return { client, status, telemetry }
}

describe('network and broker faults against the embedded broker', () => {
  let fleet: Fleet | undefined
  let obs: Awaited<ReturnType<typeof observer>> | undefined
  afterEach(async () => {
    await obs?.client.endAsync(true)
    await fleet?.stop()
    fleet = obs = undefined
  })

  async function start(file: string, devices?: number) {
    fleet = await startFleet(file, { seed: 5, devices, brokerPort: 0, metricsPort: false })
    obs = await observer(fleet.brokerUrl)
    const n = fleet.size
    await fleet.waitFor((f) => f.count({ connectivity: 'online' }) === n, { timeoutMs: 10_000 })
    return { fleet, obs }
  }

  it('keepalive-stall: the last will comes after the keep-alive window, not before', async () => {
    const { fleet, obs } = await start('test/fixtures/integration/short-keepalive.fleet.yaml')
    const t0 = performance.now()
    const { faultId, deviceIds } = fleet.inject({ kind: 'keepalive-stall', target: { count: 3 } })
    const wills = () => obs.status.filter((s) => s.value === 'offline' && s.at > t0)
    // The device is silent but its socket is open: nothing for a whole keep-alive period (2 s).
    await new Promise((r) => setTimeout(r, 1_800))
    expect(wills()).toEqual([])
    expect(fleet.count({ connectivity: 'online' })).toBe(12) // the devices do not know yet either
    await fleet.waitFor(() => wills().length === 3, { timeoutMs: 6_000 })
    expect(wills().map((w) => w.id).sort()).toEqual([...deviceIds].sort())
    for (const w of wills()) {
      expect(w.at - t0).toBeGreaterThanOrEqual(2_000) // ≥ keep-alive (aedes: 1.5 × 2 s after the last packet)
      expect(w.at - t0).toBeLessThan(4_500)
    }
    // The fault ends with the session; devices reconnect and the log holds the exact windows.
    await fleet.waitFor((f) => f.count({ connectivity: 'online' }) === 12 && f.faultLog.filter((r) => r.fault_id === faultId).length === 3, { timeoutMs: 8_000 })
    for (const r of fleet.faultLog.filter((x) => x.fault_id === faultId)) expect(r.end_ms - r.start_ms).toBeGreaterThanOrEqual(2_000)
  })

  it('broker-restart: every session is cut, and every device is back online after', async () => {
    const { fleet } = await start('test/fixtures/integration/fast.fleet.yaml', 20)
    let lowest = 20
    fleet.on('device.state', () => (lowest = Math.min(lowest, fleet.count({ connectivity: 'online' }))))
    const { faultId } = fleet.inject({ kind: 'broker-restart', durationMs: 800 })
    await fleet.waitFor(() => lowest === 0, { timeoutMs: 3_000 })
    await fleet.waitFor((f) => f.faultLog.filter((r) => r.fault_id === faultId).length === 20, { timeoutMs: 3_000 })
    await fleet.waitFor((f) => f.count({ connectivity: 'online' }) === 20, { timeoutMs: 10_000 })
    expect(fleet.stats.disconnects['broker-closed']).toBe(20)
    // Telemetry flows again through the restarted listener.
    const before = fleet.stats.messagesPublished
    await fleet.waitFor((f) => f.stats.messagesPublished >= before + 20, { timeoutMs: 3_000 })
  })

  it('auth-failure: CONNACK refusals are counted, and devices recover after the window', async () => {
    const { fleet } = await start('test/fixtures/integration/fast.fleet.yaml', 10)
    const { deviceIds } = fleet.inject({ kind: 'auth-failure', target: { count: 4 }, durationMs: 1_500 })
    await fleet.waitFor((f) => (f.stats.connectOutcomes.refused ?? 0) >= 4, { timeoutMs: 5_000 })
    expect(fleet.count({ connectivity: 'online' })).toBeLessThanOrEqual(6)
    for (const id of deviceIds) expect(fleet.device(id)!.states.connectivity).not.toBe('online')
    await fleet.waitFor((f) => f.count({ connectivity: 'online' }) === 10, { timeoutMs: 10_000 })
    const metrics = await fleet.metrics.text()
    expect(metrics).toMatch(/fleet_connects_total\{profile="fast-sensor",outcome="refused",scenario="fast"\} [1-9]/)
  })

  it('drop-acks: unacknowledged QoS 1 publishes are resent after the window and seen twice', async () => {
    const { fleet, obs } = await start('test/fixtures/integration/fast.fleet.yaml', 10)
    const resent: string[] = []
    fleet.embeddedBroker!.aedes.on('publish', (packet, client) => {
      if (client && packet.topic.endsWith('/telemetry') && packet.dup) resent.push(client.id)
    })
    const { deviceIds } = fleet.inject({ kind: 'drop-acks', target: { count: 3 }, durationMs: 1_000 })
    await fleet.waitFor(() => deviceIds.every((id) => resent.includes(id)), { timeoutMs: 6_000 })
    expect(new Set(resent)).toEqual(new Set(deviceIds))
    // The subscriber (QoS 1) gets the resent publishes again: the same seq twice, only from those devices.
    const seen = new Map<string, number>()
    const dupDevices = new Set<string>()
    await fleet.waitFor(() => {
      seen.clear()
      dupDevices.clear()
      for (const t of obs.telemetry) {
        const key = `${t.id}/${t.seq}`
        if (seen.has(key)) dupDevices.add(t.id)
        seen.set(key, 1)
      }
      return dupDevices.size === deviceIds.length
    }, { timeoutMs: 5_000 })
    expect([...dupDevices].sort()).toEqual([...deviceIds].sort())
  })

  it('broker-outage: sessions are closed, CONNACK says server unavailable, and devices return after', async () => {
    const { fleet } = await start('test/fixtures/integration/fast.fleet.yaml', 10)
    const { faultId } = fleet.inject({ kind: 'broker-outage', durationMs: 1_000 })
    await fleet.waitFor((f) => f.count({ connectivity: 'online' }) === 0, { timeoutMs: 3_000 })
    await fleet.waitFor((f) => (f.stats.connectOutcomes.refused ?? 0) >= 10, { timeoutMs: 3_000 })
    await fleet.waitFor((f) => f.count({ connectivity: 'online' }) === 10, { timeoutMs: 10_000 })
    const records = fleet.faultLog.filter((r) => r.fault_id === faultId)
    expect(records).toHaveLength(10)
    for (const r of records) expect(r.end_ms - r.start_ms).toBeGreaterThanOrEqual(950)
  })
})
