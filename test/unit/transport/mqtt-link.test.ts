import { describe, expect, it } from 'vitest'
import { EmbeddedBroker } from '../../../src/broker/embedded-broker.js'
import { RealClock } from '../../../src/core/clock.js'
import { mqttLinkFactory, probeBroker } from '../../../src/transport/mqtt-link.js'
import { linkContract, linkOptions, recorder, type Received } from './link-contract.js'

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

async function waitFor(done: () => boolean, what: string, timeoutMs = 3_000): Promise<void> {
  const until = performance.now() + timeoutMs
  while (!done()) {
    if (performance.now() > until) throw new Error(`timed out waiting for ${what}`)
    await sleep(5)
  }
}

/** A real aedes broker on loopback, port 0; what clients publish (and wills) is recorded. */
async function brokerHarness() {
  const broker = await EmbeddedBroker.start({ port: 0 })
  const received: Received[] = []
  broker.aedes.on('publish', (packet, client) => {
    if (client && !packet.topic.startsWith('$SYS')) received.push({ topic: packet.topic, payload: packet.payload.toString(), retain: packet.retain })
  })
  return { broker, received }
}

linkContract('MqttLink (aedes on loopback, RealClock)', async () => {
  const { broker, received } = await brokerHarness()
  const factory = mqttLinkFactory(new RealClock())
  return {
    create: (opts, listener) => factory({ ...opts, url: broker.url }, listener),
    received: () => received,
    until: (done, what) => waitFor(done, what),
    settle: () => sleep(60),
    teardown: () => broker.stop(),
  }
})

describe('MqttLink specifics', () => {
  it('a refused CONNACK is a connect failure with its return code, not an exception', async () => {
    const broker = await EmbeddedBroker.start({
      port: 0,
      hooks: {
        authenticate: (_client, _user, _pass, done) => {
          const err = Object.assign(new Error('bad user name or password'), { returnCode: 4 })
          done(err as never, false)
        },
      },
    })
    try {
      const r = recorder()
      const failures: unknown[] = []
      const link = mqttLinkFactory(new RealClock())({ ...linkOptions(), url: broker.url }, { ...r.listener, onConnectFailed: (f) => failures.push(f) })
      link.connect()
      await waitFor(() => failures.length > 0, 'refusal')
      expect(failures[0]).toMatchObject({ reason: 'refused', returnCode: 4 })
      expect(link.connected).toBe(false)
      await link.end()
    } finally {
      await broker.stop()
    }
  })

  it('no broker listening: connect fails as unreachable', async () => {
    const { broker } = await brokerHarness()
    const url = broker.url
    await broker.stop()
    const r = recorder()
    const link = mqttLinkFactory(new RealClock())({ ...linkOptions(), url }, r.listener)
    link.connect()
    await waitFor(() => r.events.length > 0, 'connect outcome')
    expect(r.events).toEqual(['failed:unreachable'])
    await link.end()
  })

  it('the broker closing the session is reported as broker-closed', async () => {
    const { broker } = await brokerHarness()
    try {
      const r = recorder()
      const opts = linkOptions()
      const link = mqttLinkFactory(new RealClock())({ ...opts, url: broker.url }, r.listener)
      link.connect()
      await waitFor(() => r.events.length > 0, 'connect')
      const client = (broker.aedes as unknown as { clients: Record<string, { close(): void }> }).clients[opts.clientId]
      expect(client).toBeDefined()
      client!.close()
      await waitFor(() => r.events.length > 1, 'onClosed')
      expect(r.events).toEqual(['connected', 'closed:broker-closed'])
      await link.end()
    } finally {
      await broker.stop()
    }
  })

  it('subscribe(): messages published to the topic arrive through onMessage', async () => {
    const { broker } = await brokerHarness()
    try {
      const r = recorder()
      const link = mqttLinkFactory(new RealClock())({ ...linkOptions(), url: broker.url }, r.listener)
      link.connect()
      await waitFor(() => r.events.length > 0, 'connect')
      link.subscribe('devices/x/commands', 1)
      const other = recorder()
      const sender = mqttLinkFactory(new RealClock())({ ...linkOptions(), url: broker.url }, other.listener)
      sender.connect()
      await waitFor(() => other.events.length > 0, 'sender connect')
      // The SUBSCRIBE may still be in flight: send until one arrives.
      for (let i = 0; i < 40 && r.messages.length === 0; i++) {
        sender.publish('devices/x/commands', '{"id":"c1","name":"ping"}', { qos: 1 })
        await sleep(10)
      }
      expect(r.messages[0]).toEqual({ topic: 'devices/x/commands', payload: '{"id":"c1","name":"ping"}' })
      await sender.end()
      await link.end()
    } finally {
      await broker.stop()
    }
  })

  it('probeBroker says ok for a live broker and not ok for a closed port', async () => {
    const { broker } = await brokerHarness()
    const url = broker.url
    expect(await probeBroker(url, { timeoutMs: 1_000 })).toEqual({ ok: true })
    await broker.stop()
    const r = await probeBroker(url, { timeoutMs: 1_000 })
    expect(r.ok).toBe(false)
  })
})
