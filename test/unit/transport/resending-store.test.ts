import { describe, expect, it } from 'vitest'
import { EmbeddedBroker } from '../../../src/broker/embedded-broker.js'
import { RealClock } from '../../../src/core/clock.js'
import { MqttLink } from '../../../src/transport/mqtt-link.js'
import { InflightPackets, ResendingStore, SmallMessageIds } from '../../../src/transport/resending-store.js'
import { linkOptions } from './link-contract.js'

const packet = (messageId: number, cmd = 'publish') => ({ messageId, cmd })

describe('InflightPackets (the store’s in-flight list)', () => {
  it('keeps packets in the order first stored; set on a stored id replaces it in place', () => {
    const q = new InflightPackets<{ messageId: number; cmd: string }>()
    q.set(3, packet(3)).set(1, packet(1)).set(2, packet(2))
    const replacement = packet(1, 'pubrel')
    q.set(1, replacement)
    const seen: number[] = []
    q.forEach((p, id) => {
      expect(p.messageId).toBe(id)
      seen.push(id!)
    })
    expect(seen).toEqual([3, 1, 2])
    expect(q.get(1)).toBe(replacement)
    expect(q.size).toBe(3)
  })

  it('delete keeps the order of the rest, reports a missing id, and slots are reused', () => {
    const q = new InflightPackets<{ messageId: number; cmd: string }>()
    for (const id of [5, 6, 7, 8]) q.set(id, packet(id))
    expect(q.delete(6)).toBe(true)
    expect(q.delete(6)).toBe(false)
    expect(q.get(6)).toBeUndefined()
    expect([...q.values()].map((p) => p.messageId)).toEqual([5, 7, 8])
    q.set(9, packet(9))
    expect([...q.values()].map((p) => p.messageId)).toEqual([5, 7, 8, 9])
    for (const id of [5, 7, 8, 9]) q.delete(id)
    expect(q.size).toBe(0)
    expect([...q.values()]).toEqual([])
  })

  it('emptied after a burst (a flush of held messages), it keeps working from fresh slots', () => {
    const q = new InflightPackets<{ messageId: number; cmd: string }>()
    for (let id = 1; id <= 30; id++) q.set(id, packet(id))
    for (let id = 1; id <= 30; id++) expect(q.delete(id)).toBe(true)
    expect(q.size).toBe(0)
    q.set(40, packet(40)).set(41, packet(41))
    expect([...q.values()].map((p) => p.messageId)).toEqual([40, 41])
    expect(q.get(40)!.messageId).toBe(40)
    expect(q.delete(40)).toBe(true)
    expect([...q.values()].map((p) => p.messageId)).toEqual([41])
  })

  it('forEach sees a snapshot: deleting while iterating (as acknowledgements do) skips nothing', () => {
    const q = new InflightPackets<{ messageId: number; cmd: string }>()
    for (let id = 1; id <= 200; id++) q.set(id, packet(id))
    const seen: number[] = []
    q.forEach((p) => {
      seen.push(p.messageId)
      q.delete(p.messageId)
    })
    expect(seen).toEqual(Array.from({ length: 200 }, (_, i) => i + 1))
    expect(q.size).toBe(0)
    q.set(1, packet(1))
    expect(q.get(1)?.messageId).toBe(1)
  })
})

describe('ResendingStore', () => {
  it('marks stored publishes DUP when read back for resending, and acks remove them', async () => {
    const store = new ResendingStore({ clean: false })
    store.put({ cmd: 'publish', messageId: 1, topic: 't', payload: Buffer.from('a'), qos: 1, retain: false, dup: false }, () => {})
    store.put({ cmd: 'publish', messageId: 2, topic: 't', payload: Buffer.from('b'), qos: 1, retain: false, dup: false }, () => {})
    await new Promise<void>((resolve, reject) => store.del({ messageId: 1 }, (err) => (err ? reject(err) : resolve())))
    expect(store.size).toBe(1)
    const stream = store.createStream()
    const read: { messageId?: number; dup?: boolean }[] = []
    await new Promise<void>((resolve) => {
      stream.on('data', (p: { messageId?: number; dup?: boolean }) => read.push(p))
      stream.on('end', () => resolve())
    })
    expect(read.map((p) => [p.messageId, p.dup])).toEqual([[2, true]])
    await expect(new Promise((resolve, reject) => store.del({ messageId: 1 }, (err) => (err ? reject(err) : resolve(undefined))))).rejects.toThrow('missing packet')
  })
})

describe('SmallMessageIds', () => {
  it('starts again at 1 whenever nothing is in flight or stored', () => {
    const store = new ResendingStore({ clean: false })
    const ids = new SmallMessageIds(store)
    for (let i = 0; i < 5; i++) {
      expect(ids.allocate()).toBe(1)
      ids.deallocate()
    }
    expect(ids.getLastAllocated()).toBe(1)
  })

  it('counts up while ids are in flight, and not from below a resent packet’s id', () => {
    const store = new ResendingStore({ clean: false })
    const ids = new SmallMessageIds(store)
    expect([ids.allocate(), ids.allocate(), ids.allocate()]).toEqual([1, 2, 3])
    ids.deallocate()
    expect(ids.allocate()).toBe(4)
    // A new connection: MQTT.js clears the provider, then registers what the store resends.
    ids.clear()
    expect(ids.register(40)).toBe(true)
    expect(ids.allocate()).toBe(41)
  })

  it('does not restart while the store still holds a packet awaiting resend', () => {
    const store = new ResendingStore({ clean: false })
    const ids = new SmallMessageIds(store)
    expect(ids.allocate()).toBe(1)
    store.put({ cmd: 'publish', messageId: 1, topic: 't', payload: Buffer.from('a'), qos: 1, retain: false, dup: false }, () => {})
    ids.clear() // the connection dropped; the packet stays stored
    expect(ids.allocate()).toBe(2)
  })

  it('says when a burst has drained: nothing in flight after more than 8 were', () => {
    let drained = 0
    const ids = new SmallMessageIds(new ResendingStore({ clean: false }), () => drained++)
    for (let round = 0; round < 3; round++) {
      ids.allocate()
      ids.deallocate()
    }
    for (let i = 0; i < 4; i++) ids.allocate()
    for (let i = 0; i < 4; i++) ids.deallocate()
    expect(drained).toBe(0) // a device's usual few in flight
    for (let i = 0; i < 9; i++) ids.allocate()
    for (let i = 0; i < 8; i++) ids.deallocate()
    expect(drained).toBe(0) // one still in flight
    ids.deallocate()
    expect(drained).toBe(1)
    ids.allocate()
    ids.deallocate()
    expect(drained).toBe(1) // the burst was counted once
  })

  it('wraps after 65535, as MQTT.js’s default does', () => {
    const ids = new SmallMessageIds(new ResendingStore({ clean: false }))
    ids.allocate()
    ids.register(65535)
    expect(ids.allocate()).toBe(1)
  })
})

describe('MqttLink message ids against a real broker', () => {
  it('a link publishing QoS 1 one at a time reuses id 1, every message is acknowledged and nothing stays stored', async () => {
    const broker = await EmbeddedBroker.start({ port: 0 })
    const ids: number[] = []
    broker.aedes.on('publish', (p, client) => {
      if (client && p.topic === 't/ids') ids.push(p.messageId ?? -1)
    })
    let online = false
    const link = new MqttLink({ ...linkOptions(), url: broker.url }, { onConnected: () => (online = true), onConnectFailed: () => {}, onClosed: () => {}, onMessage: () => {} }, new RealClock())
    try {
      link.connect()
      for (let i = 0; i < 200 && !online; i++) await new Promise((r) => setTimeout(r, 10))
      expect(online).toBe(true)
      for (let n = 0; n < 20; n++) await new Promise<void>((resolve) => link.publish('t/ids', `m${n}`, { qos: 1 }, resolve))
      for (let i = 0; i < 200 && ids.length < 20; i++) await new Promise((r) => setTimeout(r, 10))
      expect(ids).toHaveLength(20)
      expect(new Set(ids)).toEqual(new Set([1]))
      const store = (link as unknown as { outgoingStore: ResendingStore }).outgoingStore
      expect(store.size).toBe(0)
      // A burst (an offline buffer sent on reconnect): once all are acknowledged, MQTT.js's table of
      // pending acknowledgements is a fresh object, not the one that grew to hold them.
      const client = () => (link as unknown as { client: { outgoing: object } }).client
      const burst = Promise.all(Array.from({ length: 30 }, (_, n) => new Promise<void>((resolve) => link.publish('t/ids', `b${n}`, { qos: 1 }, resolve))))
      const during = client().outgoing
      expect(Object.keys(during)).toHaveLength(30)
      await burst
      for (let i = 0; i < 200 && ids.length < 50; i++) await new Promise((r) => setTimeout(r, 10))
      await new Promise((r) => setTimeout(r, 20))
      expect(client().outgoing).not.toBe(during)
      expect(client().outgoing).toEqual({})
    } finally {
      await link.end()
      await broker.stop()
    }
  })
})
