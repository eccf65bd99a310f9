import { MqttClient, type IStream } from 'mqtt'
import { afterEach, describe, expect, it } from 'vitest'
import { BrokerShardChannel, EmbeddedBroker } from '../../../src/broker/index.js'

/**
 * The broker's end of device shards' channels, on the thread that runs the embedded broker (here:
 * this one, as with `fleet-emu run --workers N --no-broker-thread`). The shards' ends are real
 * BrokerShardChannels over real message ports; their devices would be in workers, the channel is
 * the same.
 */
describe('EmbeddedBroker.shardPort (ShardHost on the broker’s thread)', () => {
  let broker: EmbeddedBroker | undefined
  const channels: BrokerShardChannel[] = []
  const clients: MqttClient[] = []
  afterEach(async () => {
    for (const c of clients.splice(0)) c.end(true)
    for (const ch of channels.splice(0)) ch.close()
    await broker?.stop()
    broker = undefined
  })

  const shard = (b: EmbeddedBroker, n: number) => {
    const ch = new BrokerShardChannel(b.shardPort(n))
    channels.push(ch)
    return ch
  }

  it('a broker-wide fault every shard applies takes the broker down once, and back up at the last release', async () => {
    const b = (broker = await EmbeddedBroker.start({ port: 0 }))
    const [a, c] = [shard(b, 0), shard(b, 1)]
    await a.call({ op: 'goDown' })
    expect(b.accepting).toBe(false)
    await c.call({ op: 'goDown' })
    await a.call({ op: 'comeUp' })
    expect(b.accepting).toBe(false) // the other shard still holds it down
    await c.call({ op: 'comeUp' })
    expect(b.accepting).toBe(true)
    // A release with nothing held changes nothing.
    await a.call({ op: 'comeUp' })
    expect(b.accepting).toBe(true)
    expect(await a.call({ op: 'stats' })).toEqual({ clientsConnected: 0, publishesIn: 0 })
  })

  it("a shard's client connects through its channel, and its events reach the fleet ahead of the publishes written after them", async () => {
    const b = (broker = await EmbeddedBroker.start({ port: 0 }))
    const seen: string[] = []
    b.onShardEvents((n, items) => seen.push(`shard ${n}: ${items.join(' ')}`))
    b.onClientPublish((topic, payload, clientId) => seen.push(`publish ${clientId} ${topic} ${payload.toString()}`))
    const ch = shard(b, 3)
    const client = new MqttClient(() => ch.connect() as unknown as IStream, { clientId: 'd1', protocolVersion: 4, reconnectPeriod: 0 })
    clients.push(client)
    await new Promise<void>((resolve, reject) => {
      client.once('connect', () => resolve())
      client.once('error', reject)
    })
    expect(b.stats().clientsConnected).toBe(1)
    for (const seq of [1, 2]) {
      ch.event('published', 'd1', seq)
      await client.publishAsync('devices/d1/telemetry', `{"seq":${seq}}`, { qos: 1 })
    }
    expect(seen).toEqual([
      'shard 3: published d1 1',
      'publish d1 devices/d1/telemetry {"seq":1}',
      'shard 3: published d1 2',
      'publish d1 devices/d1/telemetry {"seq":2}',
    ])
  })

  it('a broker restart cuts the shards’ connections too', async () => {
    const b = (broker = await EmbeddedBroker.start({ port: 0 }))
    const ch = shard(b, 0)
    const client = new MqttClient(() => ch.connect() as unknown as IStream, { clientId: 'd2', protocolVersion: 4, reconnectPeriod: 0 })
    clients.push(client)
    await new Promise<void>((resolve) => client.once('connect', () => resolve()))
    const closed = new Promise<void>((resolve) => client.once('close', () => resolve()))
    await ch.call({ op: 'goDown' })
    await closed
    expect(b.stats().clientsConnected).toBe(0)
  })
})
