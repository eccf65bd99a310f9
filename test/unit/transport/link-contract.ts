/**
 * The contract every DeviceLink adapter must pass (STYLE.md: one abstract suite, run against every
 * transport, as MQTT.js does for its stores). An adapter's test file supplies a harness: how to make a
 * link, what reached the other side, and how to let time pass (virtual or real).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { DeviceLink, LinkListener, LinkOptions, LinkWill } from '../../../src/transport/device-link.js'

export interface Received {
  topic: string
  payload: string
  retain: boolean
}

export interface LinkHarness {
  create(opts: LinkOptions, listener: LinkListener): DeviceLink
  /** What reached the other side (the broker or the sink), in order. */
  received(): Received[]
  /** Lets time pass until `done()` holds; fails after a bound. */
  until(done: () => boolean, what: string): Promise<void>
  /** Lets enough time pass for something that must NOT happen to have happened. */
  settle(): Promise<void>
  teardown(): Promise<void>
}

/** A listener that records what it hears. */
export function recorder() {
  const events: string[] = []
  const messages: { topic: string; payload: string }[] = []
  const listener: LinkListener = {
    onConnected: () => events.push('connected'),
    onConnectFailed: (f) => events.push(`failed:${f.reason}`),
    onClosed: (reason) => events.push(`closed:${reason}`),
    onMessage: (topic, payload) => messages.push({ topic, payload: payload.toString() }),
  }
  return { events, messages, listener }
}

let counter = 0
export function linkOptions(over: Partial<LinkOptions> = {}): LinkOptions {
  const clientId = `contract-${process.pid}-${++counter}`
  return {
    url: 'in-process',
    clientId,
    keepaliveSec: 30,
    connectTimeoutMs: 2_000,
    protocolVersion: 4,
    clean: true,
    will: { topic: `devices/${clientId}/status`, payload: 'offline', qos: 1, retain: true },
    ...over,
  }
}

export function linkContract(name: string, makeHarness: () => Promise<LinkHarness>): void {
  describe(`DeviceLink contract: ${name}`, () => {
    let h: LinkHarness
    const links: DeviceLink[] = []
    beforeEach(async () => {
      h = await makeHarness()
    })
    afterEach(async () => {
      for (const l of links.splice(0)) await l.end()
      await h.teardown()
    })

    /** A link and its recorder; `up` connects it first. */
    async function open(up = true, over: Partial<LinkOptions> = {}) {
      const r = recorder()
      const opts = linkOptions(over)
      const link = h.create(opts, r.listener)
      links.push(link)
      if (up) {
        link.connect()
        await h.until(() => r.events.length > 0, 'connect outcome')
        expect(r.events).toEqual(['connected'])
        expect(link.connected).toBe(true)
      }
      return { link, opts, ...r }
    }
    const willsOf = (opts: LinkOptions) => h.received().filter((m) => m.topic === (opts.will as LinkWill).topic && m.payload === 'offline')

    it('starts disconnected; connect() reports onConnected once', async () => {
      const { link, events } = await open(false)
      expect(link.connected).toBe(false)
      link.connect()
      await h.until(() => events.length > 0, 'onConnected')
      await h.settle()
      expect(events).toEqual(['connected'])
      expect(link.connected).toBe(true)
    })

    it('publish() returns false and flushes nothing before connect', async () => {
      const { link } = await open(false)
      let flushed = 0
      expect(link.publish('t/x', 'hello', { qos: 1 }, () => flushed++)).toBe(false)
      await h.settle()
      expect(flushed).toBe(0)
      expect(h.received()).toEqual([])
      expect(link.bytesPublished).toBe(0)
    })

    it('publish() when connected returns true, calls onFlushed once, and the message arrives (QoS 0 and 1, retain)', async () => {
      const { link } = await open()
      const flushed: string[] = []
      expect(link.publish('t/zero', 'a0', { qos: 0 }, () => flushed.push('zero'))).toBe(true)
      expect(link.publish('t/one', Buffer.from('b11'), { qos: 1, retain: true }, () => flushed.push('one'))).toBe(true)
      expect(link.publish('t/none', 'c', { qos: 0 })).toBe(true)
      await h.until(() => flushed.length === 2 && h.received().length === 3, 'flush and delivery')
      await h.settle()
      expect(flushed.sort()).toEqual(['one', 'zero'])
      // Compared as a set: a broker may report a retained message after storing it.
      expect([...h.received()].sort((a, b) => a.topic.localeCompare(b.topic))).toEqual([
        { topic: 't/none', payload: 'c', retain: false },
        { topic: 't/one', payload: 'b11', retain: true },
        { topic: 't/zero', payload: 'a0', retain: false },
      ])
      expect(link.bytesPublished).toBe(2 + 3 + 1)
    })

    it('a QoS 1 publish has arrived by the time onFlushed runs (a device may reboot right after a reply)', async () => {
      const { link } = await open()
      const arrivedWhenFlushed: boolean[] = []
      link.publish('t/ack', 'accepted', { qos: 1 }, () => arrivedWhenFlushed.push(h.received().some((m) => m.topic === 't/ack')))
      await h.until(() => arrivedWhenFlushed.length > 0, 'onFlushed')
      expect(arrivedWhenFlushed).toEqual([true])
    })

    it('setNetworkDown(true) while up: onClosed("network-down"), last will, publish refused, connects fail as unreachable', async () => {
      const { link, opts, events } = await open()
      link.setNetworkDown(true)
      await h.until(() => events.length > 1, 'onClosed')
      expect(events).toEqual(['connected', 'closed:network-down'])
      expect(link.connected).toBe(false)
      await h.until(() => willsOf(opts).length === 1, 'last will')
      expect(link.publish('t/x', 'x', { qos: 0 })).toBe(false)
      link.connect()
      await h.until(() => events.length > 2, 'connect outcome')
      link.connect()
      await h.until(() => events.length > 3, 'second connect outcome')
      await h.settle()
      expect(events).toEqual(['connected', 'closed:network-down', 'failed:unreachable', 'failed:unreachable'])
      expect(link.connected).toBe(false)
    })

    it('setNetworkDown(false): the next connect succeeds', async () => {
      const { link, events } = await open()
      link.setNetworkDown(true)
      await h.until(() => events.length === 2, 'onClosed')
      link.setNetworkDown(false)
      link.connect()
      await h.until(() => events.length === 3, 'connect outcome')
      expect(events.at(-1)).toBe('connected')
      expect(link.connected).toBe(true)
      expect(link.publish('t/after', 'ok', { qos: 1 })).toBe(true)
      await h.until(() => h.received().some((m) => m.topic === 't/after'), 'delivery after the network returned')
    })

    it('setNetworkDown(true) while a connect is in flight: that attempt fails as unreachable (no device waits forever)', async () => {
      const { link, events } = await open(false)
      link.connect()
      link.setNetworkDown(true)
      await h.until(() => events.length > 0, 'connect outcome')
      await h.settle()
      expect(events).toEqual(['failed:unreachable'])
      expect(link.connected).toBe(false)
    })

    it('setNetworkDown(true) while down does nothing more', async () => {
      const { link, events } = await open(false)
      link.setNetworkDown(true)
      link.setNetworkDown(true)
      await h.settle()
      expect(events).toEqual([])
    })

    it('end(): a clean disconnect — no onClosed, no last will; connect works again afterwards', async () => {
      const { link, opts, events } = await open()
      await link.end()
      expect(link.connected).toBe(false)
      await h.settle()
      expect(events).toEqual(['connected'])
      expect(willsOf(opts)).toEqual([])
      expect(link.publish('t/x', 'x', { qos: 0 })).toBe(false)
      link.connect()
      await h.until(() => events.length === 2, 'reconnect')
      expect(events).toEqual(['connected', 'connected'])
    })

    it('drop(): an unclean drop — onClosed("dropped") and the last will', async () => {
      const { link, opts, events } = await open()
      link.drop()
      await h.until(() => events.length > 1, 'onClosed')
      await h.until(() => willsOf(opts).length === 1, 'last will')
      await h.settle()
      expect(events).toEqual(['connected', 'closed:dropped'])
      expect(link.connected).toBe(false)
      expect(willsOf(opts)).toEqual([{ topic: (opts.will as LinkWill).topic, payload: 'offline', retain: true }])
    })

    it('a will given as a function is asked once per connect attempt; a drop publishes the will of the last CONNECT', async () => {
      let n = 0
      const topic = `devices/contract-will-${process.pid}-${counter + 1}/death`
      const { link, events } = await open(true, { will: () => ({ topic, payload: `death-${n++}`, qos: 1, retain: false }) })
      expect(n).toBe(1)
      link.drop()
      await h.until(() => events.length === 2, 'onClosed')
      link.connect()
      await h.until(() => events.length === 3, 'reconnect')
      expect(n).toBe(2)
      link.drop()
      await h.until(() => h.received().filter((m) => m.topic === topic).length === 2, 'both wills')
      await h.settle()
      expect(h.received().filter((m) => m.topic === topic)).toEqual([
        { topic, payload: 'death-0', retain: false },
        { topic, payload: 'death-1', retain: false },
      ])
    })

    it('drop() with no session reports nothing', async () => {
      const { link, events } = await open(false)
      link.drop()
      await h.settle()
      expect(events).toEqual([])
    })
  })
}
