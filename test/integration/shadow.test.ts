import mqtt, { type MqttClient } from 'mqtt'
import { afterEach, describe, expect, it } from 'vitest'
import { startFleet, type Fleet } from '../../src/index.js'

const FLEET = 'test/fixtures/integration/fast.fleet.yaml'

interface Reported {
  state: Record<string, unknown>
  unsupported: Record<string, string>
  version: number
  ts: number
  error?: string
}

async function until(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = performance.now() + timeoutMs
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 20))
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!

describe('device shadow over the embedded broker', () => {
  let fleet: Fleet | undefined
  const clients: MqttClient[] = []
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.endAsync()))
    await fleet?.stop()
    fleet = undefined
  })

  it('converges reported to a retained desired document, also for a device that connects later', async () => {
    fleet = await startFleet(FLEET, { seed: 7, devices: 3, brokerPort: 0, metricsPort: false })
    const url = fleet.brokerUrl
    await fleet.waitFor((f) => f.count({ connectivity: 'online' }) === 3, { timeoutMs: 10_000 })
    const [a, b] = fleet.list().map((d) => d.id) as [string, string]

    const backend = await mqtt.connectAsync(url, { clientId: `shadow-backend-${process.pid}`, reconnectPeriod: 0 })
    clients.push(backend)
    const reported = new Map<string, Reported[]>()
    const telemetry = new Map<string, number[]>()
    backend.on('message', (topic, payload) => {
      const [, id, kind] = topic.split('/') as [string, string, string]
      if (kind === 'shadow') (reported.get(id) ?? reported.set(id, []).get(id)!).push(JSON.parse(payload.toString()) as Reported)
      if (kind === 'telemetry') (telemetry.get(id) ?? telemetry.set(id, []).get(id)!).push((JSON.parse(payload.toString()) as { ts: number }).ts)
    })
    await backend.subscribeAsync(['devices/+/shadow/reported', 'devices/+/telemetry'], { qos: 1 })

    // Retained: whether the device's SUBSCRIBE is already in place or not, it gets the document.
    await backend.publishAsync(`devices/${a}/shadow/desired`, JSON.stringify({ samplePeriod: '400ms', bogus: 1 }), { qos: 1, retain: true })
    await until(() => (reported.get(a)?.length ?? 0) > 0, 5_000, 'the reported document')
    const doc = reported.get(a)!.at(-1)!
    expect(doc.state).toEqual({ samplePeriod: '400ms' })
    expect(doc.unsupported).toEqual({ bogus: expect.stringContaining('unknown setting') })
    expect(doc.error).toBeUndefined()
    expect(typeof doc.version).toBe('number')

    // Telemetry now comes every ~400 ms (the profile's period is 200 ms, jitter 5%).
    const from = telemetry.get(a)?.length ?? 0
    await until(() => (telemetry.get(a)?.length ?? 0) >= from + 5, 5_000, 'telemetry at the new period')
    const ts = telemetry.get(a)!.slice(from + 1)
    const gaps = ts.slice(1).map((t, i) => t - ts[i]!)
    expect(median(gaps)).toBeGreaterThan(340)
    expect(median(gaps)).toBeLessThan(460)

    // Reported is retained: a client subscribing later gets it.
    const late = await mqtt.connectAsync(url, { clientId: `shadow-late-${process.pid}`, reconnectPeriod: 0 })
    clients.push(late)
    const retained: { retain: boolean; doc: Reported }[] = []
    late.on('message', (_t, payload, packet) => retained.push({ retain: packet.retain, doc: JSON.parse(payload.toString()) as Reported }))
    await late.subscribeAsync(`devices/${a}/shadow/reported`, { qos: 1 })
    await until(() => retained.length > 0, 5_000, 'the retained reported document')
    expect(retained[0]).toMatchObject({ retain: true, doc: { state: { samplePeriod: '400ms' } } })

    // Device b is offline when its desired document is retained; it converges once it is back.
    fleet.inject({ kind: 'disconnect', target: { ids: [b] }, durationMs: 800 })
    await fleet.waitFor((f) => f.device(b)!.states.connectivity !== 'online', { timeoutMs: 5_000 })
    await backend.publishAsync(`devices/${b}/shadow/desired`, JSON.stringify({ samplePeriod: 600, version: 4 }), { qos: 1, retain: true })
    expect(reported.get(b)).toBeUndefined()
    await until(() => (reported.get(b)?.length ?? 0) > 0, 5_000, 'b reporting after it reconnects')
    expect(reported.get(b)!.at(-1)).toMatchObject({ state: { samplePeriod: 600 }, unsupported: {}, version: 4 })
    expect(fleet.device(b)!.states.connectivity).toBe('online')

    // Malformed desired: reported with an error, the device keeps running and keeps its settings.
    await backend.publishAsync(`devices/${a}/shadow/desired`, '{not json', { qos: 1, retain: true })
    await until(() => reported.get(a)!.some((r) => r.error !== undefined), 5_000, 'the error report')
    expect(reported.get(a)!.at(-1)).toMatchObject({ state: { samplePeriod: '400ms' }, error: expect.stringContaining('JSON') })
    expect(fleet.device(a)!.states.firmware).toBe('running')
  })
})
