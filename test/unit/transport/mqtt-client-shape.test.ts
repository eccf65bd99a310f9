import { afterEach, describe, expect, it } from 'vitest'
import { connectAsync, type MqttClient } from 'mqtt'
import { EmbeddedBroker } from '../../../src/broker/embedded-broker.js'

// patches/mqtt+5.16.0.patch: MQTT.js's CONNACK handler `delete`s client.topicAliasSend, which turns
// every client into a dictionary-mode object in V8 (more heap a device, slower property reads). The
// patch sets it to undefined instead, so the field stays an own property. This fails when the patch
// is not applied (a dependency upgrade, or an install that skipped `prepare`).
describe('MqttClient after its CONNACK (patches/mqtt+5.16.0.patch)', () => {
  let broker: EmbeddedBroker | undefined
  let client: MqttClient | undefined
  afterEach(async () => {
    await client?.endAsync(true)
    await broker?.stop()
  })

  it('keeps topicAliasSend as an own field, set to undefined', async () => {
    broker = await EmbeddedBroker.start({ port: 0 })
    client = await connectAsync(broker.url, { reconnectPeriod: 0, clientId: 'shape' })
    expect(client.connected).toBe(true)
    expect(Object.hasOwn(client, 'topicAliasSend')).toBe(true)
    expect((client as unknown as { topicAliasSend?: unknown }).topicAliasSend).toBeUndefined()
  })
})
