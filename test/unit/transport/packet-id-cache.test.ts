import { afterEach, describe, expect, it } from 'vitest'
import { createRequire } from 'node:module'
import { connectAsync, type MqttClient } from 'mqtt'
import { writeToStream } from 'mqtt-packet'
import { EmbeddedBroker } from '../../../src/broker/embedded-broker.js'
import { RealClock } from '../../../src/core/clock.js'
import { mqttLinkFactory } from '../../../src/transport/mqtt-link.js'
import { linkOptions, recorder } from './link-contract.js'

// mqtt-packet's cache of all 65,536 packet ids as Buffers is 6.4 MB of heap in each thread that
// writes MQTT; the broker and the devices' links switch it off (vitest runs each file in a process of
// its own, so the module state below is this file's).
const numbers = createRequire(import.meta.url)('mqtt-packet/numbers.js') as { cache: Record<number, Buffer> }

describe("mqtt-packet's packet-id cache", () => {
  let broker: EmbeddedBroker | undefined
  let client: MqttClient | undefined
  afterEach(async () => {
    await client?.endAsync(true)
    await broker?.stop()
    writeToStream.cacheNumbers = true
  })

  it('is switched off by an embedded broker: QoS 1 through it, with packet ids both ways, builds no cache', async () => {
    writeToStream.cacheNumbers = true
    broker = await EmbeddedBroker.start({ port: 0 })
    expect(writeToStream.cacheNumbers).toBe(false)
    client = await connectAsync(broker.url, { reconnectPeriod: 0, clientId: 'ids' }) // MQTT.js's default: writeCache on
    const received = new Promise<string>((resolve) => client!.once('message', (_topic, payload) => resolve(payload.toString())))
    await client.subscribeAsync('ids/#', { qos: 1 })
    await client.publishAsync('ids/a', 'reading', { qos: 1 })
    expect(await received).toBe('reading')
    expect(Object.keys(numbers.cache)).toHaveLength(0)
  })

  it("is switched off by a device's MQTT link when it makes its client", async () => {
    writeToStream.cacheNumbers = true
    const link = mqttLinkFactory(new RealClock())({ ...linkOptions(), url: 'mqtt://127.0.0.1:1', connectTimeoutMs: 100 }, recorder().listener)
    link.connect()
    expect(writeToStream.cacheNumbers).toBe(false)
    await link.end()
  })
})
