import mqtt, { type MqttClient } from 'mqtt'
import { afterEach, describe, expect, it } from 'vitest'
import { EmbeddedBroker } from '../../src/broker/embedded-broker.js'
import { SparkplugSession, type SparkplugMessage } from '../../src/device/sparkplug-session.js'
import { decodeOfficial, DT, encodeOfficial, int64, metricNamed, type OfficialPayloadObject } from '../fixtures/sparkplug/official-decoder.js'

const T0 = 1767225600000

interface Received {
  topic: string
  payload: OfficialPayloadObject
  retain: boolean
  qos: number
}

async function until(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = performance.now() + timeoutMs
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 10))
  }
}

/** A Sparkplug host application: subscribes to spBv1.0/# and decodes everything with the official schema. */
async function hostApplication(url: string) {
  const client = await mqtt.connectAsync(url, { clientId: `host-${process.pid}`, reconnectPeriod: 0 })
  const received: Received[] = []
  client.on('message', (topic, payload, packet) => received.push({ topic, payload: decodeOfficial(payload), retain: packet.retain, qos: packet.qos }))
  await client.subscribeAsync('spBv1.0/#', { qos: 1 })
  const ofType = (type: string) => received.filter((m) => m.topic.split('/')[2] === type)
  return { client, received, ofType }
}

/** The edge node's MQTT side: connects with the session's NDEATH as its will, answers NCMD/DCMD. */
async function edgeNode(url: string, session: SparkplugSession, nowMs: number) {
  const will = session.connect(nowMs)
  const client = await mqtt.connectAsync(url, {
    clientId: session.edgeNodeId,
    reconnectPeriod: 0,
    clean: true,
    will: { topic: will.topic, payload: will.payload, qos: will.qos, retain: will.retain },
  })
  const publish = (m: SparkplugMessage) => client.publishAsync(m.topic, m.payload, { qos: m.qos, retain: m.retain })
  client.on('message', (topic, payload) => {
    for (const m of session.handleCommand(topic, payload, nowMs + 500).publish) void publish(m)
  })
  await client.subscribeAsync(session.commandTopics, { qos: 0 })
  for (const m of session.birth(nowMs)) await publish(m)
  return { client, will, publish }
}

describe('Sparkplug B on a real broker: births, data, rebirth, and NDEATH as the last will', () => {
  let broker: EmbeddedBroker | undefined
  const clients: MqttClient[] = []
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.endAsync(true)))
    await broker?.stop()
    broker = undefined
  })

  it('the host sees NBIRTH/DBIRTH/DDATA in seq order and, when the socket dies, the NDEATH with the same bdSeq', async () => {
    broker = await EmbeddedBroker.start({ port: 0 })
    const host = await hostApplication(broker.url)
    clients.push(host.client)
    const session = new SparkplugSession({ groupId: 'plant-1', edgeNodeId: 'th-0001', deviceId: 'sensors', metrics: { temperature: 'Double' } })

    // Connection 1: births, three samples, a rebirth request from the host, then an unclean drop.
    const node = await edgeNode(broker.url, session, T0)
    clients.push(node.client)
    for (let i = 1; i <= 3; i++) await node.publish(session.data({ ts: T0 + i * 1000, values: { temperature: 20 + i } }))
    await until(() => host.received.length >= 5, 2_000, 'births and data')
    expect(host.received.map((m) => [m.topic, m.payload.seq])).toEqual([
      ['spBv1.0/plant-1/NBIRTH/th-0001', '0'],
      ['spBv1.0/plant-1/DBIRTH/th-0001/sensors', '1'],
      ['spBv1.0/plant-1/DDATA/th-0001/sensors', '2'],
      ['spBv1.0/plant-1/DDATA/th-0001/sensors', '3'],
      ['spBv1.0/plant-1/DDATA/th-0001/sensors', '4'],
    ])
    const nbirth = host.ofType('NBIRTH')[0]!.payload
    expect(int64(metricNamed(nbirth, 'bdSeq').longValue)).toBe(0n)
    expect(host.ofType('DDATA').map((m) => metricNamed(m.payload, 'temperature').doubleValue)).toEqual([21, 22, 23])

    await host.client.publishAsync(
      'spBv1.0/plant-1/NCMD/th-0001',
      encodeOfficial({ timestamp: T0, metrics: [{ name: 'Node Control/Rebirth', timestamp: T0, datatype: DT.Boolean, booleanValue: true }] }),
      { qos: 0 },
    )
    await until(() => host.ofType('NBIRTH').length === 2 && host.ofType('DBIRTH').length === 2, 2_000, 'the rebirth')
    const reborn = host.ofType('NBIRTH')[1]!.payload
    expect(reborn.seq).toBe('0')
    expect(int64(metricNamed(reborn, 'bdSeq').longValue)).toBe(0n)
    expect(metricNamed(host.ofType('DBIRTH')[1]!.payload, 'temperature').doubleValue).toBe(23)

    node.client.stream.destroy()
    await until(() => host.ofType('NDEATH').length === 1, 5_000, 'the NDEATH will')
    const ndeath = host.ofType('NDEATH')[0]!
    expect(ndeath.topic).toBe('spBv1.0/plant-1/NDEATH/th-0001')
    expect(ndeath.retain).toBe(false)
    expect(Object.keys(ndeath.payload)).not.toContain('seq')
    expect(ndeath.payload.metrics?.map((m) => m.name)).toEqual(['bdSeq'])
    expect(int64(metricNamed(ndeath.payload, 'bdSeq').longValue)).toBe(int64(metricNamed(nbirth, 'bdSeq').longValue))

    // Connection 2: a new CONNECT takes bdSeq 1; its will and its NBIRTH both say so.
    session.connectionLost()
    const again = await edgeNode(broker.url, session, T0 + 10_000)
    clients.push(again.client)
    expect(again.will.bdSeq).toBe(1)
    await until(() => host.ofType('NBIRTH').length === 3, 2_000, 'the second NBIRTH')
    expect(int64(metricNamed(host.ofType('NBIRTH')[2]!.payload, 'bdSeq').longValue)).toBe(1n)
    again.client.stream.destroy()
    await until(() => host.ofType('NDEATH').length === 2, 5_000, 'the second NDEATH')
    expect(int64(metricNamed(host.ofType('NDEATH')[1]!.payload, 'bdSeq').longValue)).toBe(1n)
  })

  it('a clean disconnect after an explicit NDEATH publishes no will (the host sees exactly one NDEATH)', async () => {
    broker = await EmbeddedBroker.start({ port: 0 })
    const host = await hostApplication(broker.url)
    clients.push(host.client)
    const session = new SparkplugSession({ groupId: 'plant-1', edgeNodeId: 'th-0002', deviceId: 'sensors', metrics: { temperature: 'Double' } })
    const node = await edgeNode(broker.url, session, T0)
    await node.publish(session.nodeDeath(T0 + 1))
    await node.client.endAsync()
    // A marker published after the disconnect: once the host has it, any will would have arrived too.
    await host.client.publishAsync('spBv1.0/plant-1/NDATA/marker', Buffer.alloc(0), { qos: 1 })
    await until(() => host.received.some((m) => m.topic.endsWith('/marker')), 2_000, 'the marker')
    expect(host.ofType('NDEATH')).toHaveLength(1)
    expect(int64(metricNamed(host.ofType('NDEATH')[0]!.payload, 'bdSeq').longValue)).toBe(0n)
  })
})
