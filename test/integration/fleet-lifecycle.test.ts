import mqtt, { type MqttClient } from 'mqtt'
import { afterEach, describe, expect, it } from 'vitest'
import { Fleet, loadFleet, startFleet } from '../../src/index.js'

const FLEET = 'test/fixtures/integration/fast.fleet.yaml'

/** A separate MQTT client playing the backend: records the last status and telemetry per device. */
async function backend(url: string) {
  const client: MqttClient = await mqtt.connectAsync(url, { clientId: `backend-${process.pid}`, reconnectPeriod: 0 })
  const status = new Map<string, string[]>()
  const telemetry = new Map<string, { seq: number; ts: number }[]>()
  client.on('message', (topic, payload) => {
    const [, id, kind] = topic.split('/')
    if (kind === 'status') (status.get(id!) ?? status.set(id!, []).get(id!)!).push(payload.toString())
    if (kind === 'telemetry') {
      const msg = JSON.parse(payload.toString()) as { seq: number; ts: number }
      ;(telemetry.get(id!) ?? telemetry.set(id!, []).get(id!)!).push(msg)
    }
  })
  await client.subscribeAsync(['devices/+/status', 'devices/+/telemetry'], { qos: 1 })
  return { client, status, telemetry }
}

async function until(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = performance.now() + timeoutMs
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 20))
  }
}

describe('a 60-device fleet over TCP on the embedded broker', () => {
  let fleet: Fleet | undefined
  let sub: Awaited<ReturnType<typeof backend>> | undefined
  afterEach(async () => {
    await sub?.client.endAsync()
    await fleet?.stop()
    sub = fleet = undefined
  })

  it('connects, publishes telemetry, publishes the last will on an unclean disconnect, and reconnects', async () => {
    fleet = await startFleet(FLEET, { seed: 7, brokerPort: 0, metricsPort: false })
    sub = await backend(fleet.brokerUrl)
    const ids = fleet.list().map((d) => d.id)
    expect(ids).toHaveLength(60)

    await fleet.waitFor((f) => f.count({ connectivity: 'online' }) === 60, { timeoutMs: 10_000 })
    const s = sub
    await until(() => ids.every((id) => (s.telemetry.get(id)?.length ?? 0) >= 2), 5_000, 'telemetry from every device')
    for (const id of ids) {
      const seqs = s.telemetry.get(id)!.map((m) => m.seq)
      expect(seqs, id).toEqual([...seqs].sort((a, b) => a - b))
      expect(s.status.get(id)?.at(-1), id).toBe('online')
    }

    const { faultId, deviceIds } = fleet.inject({ kind: 'disconnect', target: { fraction: 0.2 }, durationMs: 1_500 })
    expect(deviceIds).toHaveLength(12)
    // The broker publishes each dropped device's will (`offline`) to the backend — and only theirs.
    await until(() => deviceIds.every((id) => s.status.get(id)?.at(-1) === 'offline'), 5_000, 'last wills')
    const offline = ids.filter((id) => s.status.get(id)?.at(-1) === 'offline')
    expect(offline.sort()).toEqual([...deviceIds].sort())
    expect(fleet.count({ connectivity: 'online' })).toBe(48)

    // After the window the devices back off, reconnect and say `online` again.
    await fleet.waitFor((f) => f.count({ connectivity: 'online' }) === 60, { timeoutMs: 10_000 })
    await until(() => deviceIds.every((id) => s.status.get(id)?.at(-1) === 'online'), 5_000, 'online again')
    const records = fleet.faultLog.filter((r) => r.fault_id === faultId)
    expect(records.map((r) => r.device_id).sort()).toEqual([...deviceIds].sort())
    for (const r of records) {
      expect(r.end_ms - r.start_ms).toBeGreaterThanOrEqual(1_400)
      expect(r.end_ms - r.start_ms).toBeLessThan(3_000)
      expect(r.truncated).toBe(false)
    }
    expect(fleet.stats.disconnects['network-down']).toBe(12)
    expect(fleet.stats.connectOutcomes.success).toBeGreaterThanOrEqual(72)

    // Telemetry resumes for the reconnected devices.
    const before = new Map(deviceIds.map((id) => [id, s.telemetry.get(id)!.length]))
    await until(() => deviceIds.every((id) => s.telemetry.get(id)!.length > before.get(id)!), 5_000, 'telemetry after reconnect')

    // A clean stop: every device says `offline` itself before DISCONNECT.
    const summary = await fleet.stop()
    await until(() => ids.every((id) => s.status.get(id)?.at(-1) === 'offline'), 5_000, 'offline on stop')
    // stop() before the fleet's duration is up: `stopped`, not `complete`.
    expect(summary.status).toBe('stopped')
    expect(summary.devices).toBe(60)
  })

  it('answers commands: reboot is accepted and the device comes back; unknown and malformed ones are rejected', async () => {
    fleet = await startFleet(FLEET, { seed: 7, devices: 5, brokerPort: 0, metricsPort: false })
    sub = await backend(fleet.brokerUrl)
    await fleet.waitFor((f) => f.count({ connectivity: 'online' }) === 5, { timeoutMs: 10_000 })
    const replies = new Map<string, Record<string, unknown>>()
    sub.client.on('message', (topic, payload) => {
      // The first reply per command: a reboot's `accepted` is followed by `done` once it is back.
      if (topic.endsWith('/reply') && !replies.has(topic)) replies.set(topic, JSON.parse(payload.toString()) as Record<string, unknown>)
    })
    await sub.client.subscribeAsync('devices/+/commands/+/reply', { qos: 1 })
    const id = fleet.list()[0]!.id
    // Online means CONNACK; the device's SUBSCRIBE may still be on its way. Ping until it answers.
    for (let i = 0; replies.size === 0; i++) {
      if (i > 100) throw new Error('no reply to ping')
      await sub.client.publishAsync(`devices/${id}/commands`, JSON.stringify({ id: `p${i}`, name: 'ping' }), { qos: 1 })
      await new Promise((r) => setTimeout(r, 20))
    }
    const states: string[] = []
    fleet.on('device.state', (e: { deviceId: string; region: string; to: string }) => e.deviceId === id && e.region === 'firmware' && states.push(e.to))
    await sub.client.publishAsync(`devices/${id}/commands`, JSON.stringify({ id: 'c2', name: 'self-destruct' }), { qos: 1 })
    await sub.client.publishAsync(`devices/${id}/commands`, '{not json', { qos: 1 })
    await until(() => replies.has(`devices/${id}/commands/c2/reply`) && replies.has(`devices/${id}/commands/invalid/reply`), 5_000, 'two rejections')
    await sub.client.publishAsync(`devices/${id}/commands`, JSON.stringify({ id: 'c1', name: 'reboot' }), { qos: 1 })
    await until(() => replies.has(`devices/${id}/commands/c1/reply`), 5_000, 'the reboot reply')
    expect(replies.get(`devices/${id}/commands/c1/reply`)).toEqual({ id: 'c1', status: 'accepted' })
    expect(replies.get(`devices/${id}/commands/c2/reply`)).toMatchObject({ id: 'c2', status: 'rejected', reason: expect.stringContaining('unknown command') })
    expect(replies.get(`devices/${id}/commands/invalid/reply`)).toMatchObject({ status: 'rejected', reason: expect.stringContaining('JSON') })
    await fleet.waitFor((f) => f.device(id)!.states.connectivity === 'online' && states.includes('booting'), { timeoutMs: 5_000 })
    expect(states).toEqual(['rebooting', 'booting', 'running'])
  })

  it('serves Prometheus metrics while running', async () => {
    fleet = await startFleet(FLEET, { seed: 7, devices: 10, brokerPort: 0, metricsPort: 0 })
    await fleet.waitFor((f) => f.count({ connectivity: 'online' }) === 10, { timeoutMs: 10_000 })
    const f = fleet
    await until(() => f.stats.messagesPublished >= 10, 5_000, 'some telemetry')
    const res = await fetch(fleet.metricsUrl!)
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toContain('text/plain')
    const text = await res.text()
    expect(text).toMatch(/^fleet_devices\{profile="fast-sensor",state="online",scenario="fast"\} 10$/m)
    expect(text).toMatch(/^fleet_connects_total\{profile="fast-sensor",outcome="success",scenario="fast"\} 10$/m)
    expect(text).toMatch(/^fleet_messages_published_total\{profile="fast-sensor",scenario="fast"\} \d+$/m)
    expect(text).toMatch(/^# TYPE fleet_published_bytes_total counter$/m)
    expect(text).toMatch(/^# TYPE fleet_fault_activations_total counter$/m)
    expect(text).not.toMatch(/device_id|lab-0/)
    // Every sample line is `name{labels} value` — valid exposition format.
    for (const line of text.split('\n').filter((l) => l && !l.startsWith('#'))) expect(line).toMatch(/^[a-z_:][a-z0-9_:]*(\{.*\})? [-+0-9.eEInfNa]+$/)
  })

  it('prepare(): the broker and every device are made, nothing runs and no time counts; start() then runs the ramp from its own start', async () => {
    fleet = new Fleet(loadFleet(FLEET, { devices: 20 }), { seed: 7, brokerPort: 0, metricsPort: false })
    await fleet.prepare()
    expect(fleet.list()).toHaveLength(20)
    expect(fleet.count({ firmware: 'off' })).toBe(20)
    expect(fleet.count({ connectivity: 'offline' })).toBe(20)
    expect(fleet.elapsedMs()).toBe(0)
    // Nobody connects while the fleet is only prepared.
    await new Promise((r) => setTimeout(r, 100))
    expect(fleet.stats.connectAttempts).toBe(0)
    const before = fleet.clock.now()
    const online: { atMs: number; afterMs: number }[] = []
    fleet.on('online', (e: { atMs: number; afterMs: number }) => online.push(e))
    await fleet.start()
    expect(fleet.runStartedAtMs).toBeGreaterThanOrEqual(before)
    await fleet.waitFor((f) => f.count({ connectivity: 'online' }) === 20, { timeoutMs: 10_000 })
    // `online` once, when the last of them came up: the connect ramp is over.
    expect(online).toEqual([{ atMs: fleet.runStartedAtMs + fleet.stats.allOnlineAtMs!, afterMs: fleet.stats.allOnlineAtMs }])
    await expect(fleet.prepare()).rejects.toThrow(/prepare\(\) called on a fleet that is running/)
  })

  it('a prepared fleet that never started stops cleanly: devices made, no run, no connects', async () => {
    fleet = new Fleet(loadFleet(FLEET, { devices: 5 }), { seed: 7, brokerPort: 0, metricsPort: false })
    await fleet.prepare()
    const summary = await fleet.stop()
    expect(summary.connects.attempts).toBe(0)
    expect(summary.elapsedMs).toBe(0)
  })
})
