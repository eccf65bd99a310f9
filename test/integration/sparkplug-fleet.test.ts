import mqtt, { type MqttClient } from 'mqtt'
import { afterEach, describe, expect, it } from 'vitest'
import { startFleet, type Fleet } from '../../src/index.js'
import { decodeOfficial, DT, encodeOfficial, int64, metricNamed, type OfficialPayloadObject } from '../fixtures/sparkplug/official-decoder.js'

/**
 * A Sparkplug fleet on the real embedded broker, with a host application (an MQTT.js client) that
 * decodes everything with the official sparkplug_b.proto: births, data, a rebirth it asks for, and
 * the NDEATH will when a device's link is cut.
 */
const FLEET = 'test/fixtures/integration/sparkplug.fleet.yaml'

interface Seen {
  topic: string
  type: string
  node: string
  qos: number
  payload: OfficialPayloadObject
}

async function until(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = performance.now() + timeoutMs
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 10))
  }
}

const bdSeq = (m: Seen) => int64(metricNamed(m.payload, 'bdSeq').longValue)

describe('a Sparkplug B fleet on the embedded broker, seen by a host application', () => {
  let fleet: Fleet | undefined
  const clients: MqttClient[] = []
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.endAsync(true)))
    await fleet?.stop()
    fleet = undefined
  })

  it('births, DDATA, a rebirth on NCMD (seq reset, same bdSeq), the NDEATH will on a cut link, and a report without false loss', async () => {
    fleet = await startFleet(FLEET, { brokerPort: 0, metricsPort: false })
    const host = await mqtt.connectAsync(fleet.brokerUrl, { clientId: `scada-${process.pid}`, reconnectPeriod: 0 })
    clients.push(host)
    const seen: Seen[] = []
    host.on('message', (topic, payload, packet) => {
      const [, , type, node] = topic.split('/') as [string, string, string, string]
      seen.push({ topic, type, node, qos: packet.qos, payload: decodeOfficial(payload) })
    })
    await host.subscribeAsync('spBv1.0/#', { qos: 1 })
    // Subscribed after the devices may have been born: ask every node for a rebirth, as a host does.
    await fleet.waitFor((f) => f.count({ connectivity: 'online' }) === 3, { timeoutMs: 10_000 })
    const ids = fleet.list().map((d) => d.id)
    expect(ids).toEqual(['node-01', 'node-02', 'node-03'])
    const of = (node: string, type: string) => seen.filter((m) => m.node === node && m.type === type)
    const rebirth = encodeOfficial({ timestamp: Date.now(), metrics: [{ name: 'Node Control/Rebirth', timestamp: Date.now(), datatype: DT.Boolean, booleanValue: true }] })
    for (const id of ids) await host.publishAsync(`spBv1.0/plant-1/NCMD/${id}`, rebirth, { qos: 0 })
    const dataAfterBirth = (id: string) => {
      const nbirth = of(id, 'NBIRTH').at(-1)
      return nbirth ? seen.slice(seen.indexOf(nbirth)).filter((m) => m.node === id && m.type === 'DDATA') : []
    }
    await until(() => ids.every((id) => dataAfterBirth(id).length >= 3), 5_000, 'births and data from every node')

    for (const id of ids) {
      const nbirth = of(id, 'NBIRTH').at(-1)!
      expect(nbirth.topic).toBe(`spBv1.0/plant-1/NBIRTH/${id}`)
      expect(nbirth.payload.seq).toBe('0')
      expect(bdSeq(nbirth)).toBe(0n)
      const dbirth = of(id, 'DBIRTH').at(-1)!
      expect(dbirth.topic).toBe(`spBv1.0/plant-1/DBIRTH/${id}/sensors`)
      expect(dbirth.payload.seq).toBe('1')
      expect(dbirth.payload.metrics!.map((m) => m.name)).toEqual(['temperature', 'humidity', 'battery', 'Device Control/Rebirth', 'Properties/FW'])
      const after = dataAfterBirth(id)
      expect(after.slice(0, 3).map((m) => m.payload.seq)).toEqual(['2', '3', '4'])
      for (const m of after) {
        expect(m.qos).toBe(0)
        expect(metricNamed(m.payload, 'temperature').datatype).toBe(DT.Double)
        expect(typeof metricNamed(m.payload, 'humidity').doubleValue).toBe('number')
      }
    }

    // A second rebirth of one node: seq back to 0, same bdSeq (no new CONNECT), last values in DBIRTH.
    const [a, b] = ids as [string, string]
    const birthsBefore = of(a, 'NBIRTH').length
    await host.publishAsync(`spBv1.0/plant-1/NCMD/${a}`, rebirth, { qos: 0 })
    await until(() => of(a, 'NBIRTH').length === birthsBefore + 1 && of(a, 'DBIRTH').length === birthsBefore + 1, 3_000, 'the rebirth')
    expect(of(a, 'NBIRTH').at(-1)!.payload.seq).toBe('0')
    expect(bdSeq(of(a, 'NBIRTH').at(-1)!)).toBe(0n)
    expect(metricNamed(of(a, 'DBIRTH').at(-1)!.payload, 'temperature').isNull).toBeUndefined()

    // The host cuts node b's link: the broker publishes its NDEATH will, with the bdSeq of its NBIRTH.
    const born = bdSeq(of(b, 'NBIRTH').at(-1)!)
    fleet.inject({ kind: 'disconnect', target: { ids: [b] }, durationMs: 600 })
    await until(() => of(b, 'NDEATH').length === 1, 3_000, 'the NDEATH will')
    const ndeath = of(b, 'NDEATH')[0]!
    expect(ndeath.topic).toBe(`spBv1.0/plant-1/NDEATH/${b}`)
    expect(ndeath.payload.seq).toBeUndefined()
    expect(bdSeq(ndeath)).toBe(born)
    // It comes back with a new CONNECT: a higher bdSeq, and births before any data.
    await until(() => of(b, 'NBIRTH').some((m) => bdSeq(m) > born), 5_000, 'the new NBIRTH')
    const reborn = of(b, 'NBIRTH').find((m) => bdSeq(m) > born)!
    const after = () => seen.slice(seen.indexOf(reborn)).filter((m) => m.node === b)
    // The buffer is flushed right after the births, before the first live sample: wait for that one.
    await until(() => after().some((m) => m.type === 'DDATA' && !m.payload.metrics!.some((x) => x.isHistorical)), 5_000, 'a live DDATA after the flush')
    const next = after()
    expect(next.slice(0, 2).map((m) => [m.type, m.payload.seq])).toEqual([
      ['NBIRTH', '0'],
      ['DBIRTH', '1'],
    ])
    // Buffered while offline, sent after the births: flagged historical.
    expect(next.filter((m) => m.type === 'DDATA' && m.payload.metrics!.every((x) => x.isHistorical)).length).toBeGreaterThan(0)

    const deathsBefore = seen.filter((m) => m.type === 'NDEATH').length
    const stopping = fleet
    const summary = await stopping.stop()
    const fleetReport = stopping.report
    fleet = undefined
    // A clean stop: every node says NDEATH itself, with its current bdSeq.
    await until(() => seen.filter((m) => m.type === 'NDEATH').length === deathsBefore + 3, 3_000, 'NDEATHs on stop')
    for (const id of ids) expect(bdSeq(of(id, 'NDEATH').at(-1)!)).toBe(bdSeq(of(id, 'NBIRTH').at(-1)!))
    expect(summary.status).toBe('stopped')
    // The delivery probe read the DDATA: what the host saw was delivered; nothing lost without a fault.
    const slis = fleetReport!.slis
    expect(slis.messages_published).toBeGreaterThan(10)
    expect(slis.messages_delivered).toBe(slis.messages_published! - slis.loss!)
    expect(slis.unexplained_loss).toBe(0)
    expect(slis.loss).toBeLessThanOrEqual(2) // at most what was in flight when b's link was cut
    expect(slis.unexplained_duplicates).toBe(0)
  })
})

describe('a Sparkplug B fleet with the broker in its own thread (the CLI default)', () => {
  it('the delivery probe reads every DDATA that crosses the thread: nothing lost, latency measured', async () => {
    const fleet = await startFleet(FLEET, { brokerPort: 0, metricsPort: false, brokerThread: true })
    try {
      await fleet.waitFor((f) => f.count({ connectivity: 'online' }) === 3, { timeoutMs: 10_000 })
      const published = () => fleet.list().reduce((n, d) => n + d.seq, 0)
      await until(() => published() >= 9, 10_000, 'three DDATA per node')
    } finally {
      await fleet.stop()
    }
    const slis = fleet.report!.slis
    expect(slis.messages_published).toBeGreaterThanOrEqual(9)
    expect(slis.messages_delivered).toBe(slis.messages_published)
    expect(slis.loss).toBe(0)
    expect(slis.latency_p50).not.toBeNull()
  })
})
