import mqtt from 'mqtt'
import seedrandom from 'seedrandom'
import { afterEach, describe, expect, it } from 'vitest'
import { EmbeddedBroker } from '../../../src/broker/index.js'
import { indexedMemoryPersistence } from '../../../src/broker/indexed-persistence.js'
import { RetainedTopics } from '../../../src/broker/retained-topics.js'

/** MQTT 3.1.1 §4.7, level by level: the reference the topic tree is checked against. */
function topicMatches(filter: string, topic: string): boolean {
  if (topic.startsWith('$') && (filter.startsWith('+') || filter.startsWith('#'))) return false
  const f = filter.split('/')
  const t = topic.split('/')
  for (let i = 0; i < f.length; i++) {
    if (f[i] === '#') return true
    if (i >= t.length) return false
    if (f[i] !== '+' && f[i] !== t[i]) return false
  }
  return f.length === t.length
}

describe('RetainedTopics: the retained messages a filter matches (MQTT 3.1.1 §4.7)', () => {
  it.each([
    ['devices/a/status', 'devices/a/status', true],
    ['devices/a/status', 'devices/b/status', false],
    ['devices/+/status', 'devices/a/status', true],
    ['devices/+/status', 'devices/a/b/status', false],
    ['devices/+', 'devices/', true], // + matches an empty level
    ['devices/#', 'devices', true], // # includes the parent level
    ['devices/#', 'devices/a/b/c', true],
    ['#', 'anything/at/all', true],
    ['+/+', 'a/b', true],
    ['+/+', 'a', false],
    ['#', '$SYS/broker/uptime', false], // wildcards at the first level do not match $ topics
    ['+/broker/uptime', '$SYS/broker/uptime', false],
    ['$SYS/#', '$SYS/broker/uptime', true],
    ['a/b', 'a/b/c', false],
    ['/+', '/a', true], // a leading empty level is a level
    ['+', '/a', false],
  ])('%s ~ %s → %s', (filter, topic, expected) => {
    expect(topicMatches(filter, topic)).toBe(expected)
    const topics = new RetainedTopics<string>()
    topics.set(topic, topic)
    expect([...topics.match(filter)]).toEqual(expected ? [topic] : [])
  })

  it('finds exactly what a test of every topic finds, for seeded random topics and filters, through sets and deletes', () => {
    const random = seedrandom('retained-topics')
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!
    const words = ['devices', 'a', 'b', '', '$SYS', 'status', 'x']
    const topicOf = () => Array.from({ length: 1 + Math.floor(random() * 4) }, () => pick(words)).join('/')
    const filterOf = () => {
      // From no levels (a bare `#`) to four, then `#` or not.
      const levels = Array.from({ length: Math.floor(random() * 5) }, () => pick([...words, '+', '+']))
      if (levels.length === 0) return '#'
      if (random() < 0.3) levels.push('#')
      return levels.join('/')
    }
    const topics = new RetainedTopics<string>()
    const kept = new Set<string>()
    for (let round = 0; round < 400; round++) {
      const topic = topicOf()
      if (random() < 0.3) {
        expect(topics.delete(topic)).toBe(kept.delete(topic))
      } else {
        topics.set(topic, topic)
        kept.add(topic)
      }
      expect(topics.size).toBe(kept.size)
      expect(topics.get(topic)).toBe(kept.has(topic) ? topic : undefined)
      const filter = filterOf()
      expect([...topics.match(filter)].sort(), filter).toEqual([...kept].filter((t) => topicMatches(filter, t)).sort())
    }
  })

  it('leaves no empty levels behind once their topics are cleared', () => {
    const topics = new RetainedTopics<string>()
    topics.set('devices/a/status', 's')
    topics.set('devices/a/shadow/reported', 'r')
    topics.delete('devices/a/shadow/reported')
    topics.delete('devices/a/status')
    expect(topics.size).toBe(0)
    expect((topics as unknown as { root: object }).root).toEqual({ value: undefined, onlyKey: undefined, only: undefined, children: undefined })
    expect(topics.delete('devices/a/status')).toBe(false)
  })
})

describe('a retained message kept by the indexed persistence', () => {
  it('has a payload of its own, not a slice of everything its client sent in that turn', async () => {
    // What aedes parses from a reconnecting device: its status and its buffered telemetry, one chunk.
    const chunk = Buffer.from('online' + '{"seq":1,"t":21.5}'.repeat(100))
    const persistence = indexedMemoryPersistence() as {
      storeRetained(packet: object): Promise<void>
      createRetainedStream(pattern: string): AsyncIterable<{ payload: Buffer }>
    }
    await persistence.storeRetained({ cmd: 'publish', topic: 'devices/a/status', payload: chunk.subarray(0, 6), qos: 1, retain: true })
    chunk.fill(0)
    const kept: Buffer[] = []
    for await (const packet of persistence.createRetainedStream('devices/a/status')) kept.push(packet.payload)
    expect(kept.map((p) => p.toString())).toEqual(['online'])
    expect(kept[0]!.buffer.byteLength).toBe(6)
  })
})

describe('retained messages through the indexed persistence, on a real broker', () => {
  let broker: EmbeddedBroker | undefined
  afterEach(async () => {
    await broker?.stop()
    broker = undefined
  })

  it('exact and wildcard subscriptions get exactly the matching retained messages; empty payload clears', async () => {
    broker = await EmbeddedBroker.start({ port: 0 })
    const pub = await mqtt.connectAsync(broker.url, { clientId: 'pub' })
    for (const id of ['a', 'b', 'c']) await pub.publishAsync(`devices/${id}/status`, `online-${id}`, { qos: 1, retain: true })
    await pub.publishAsync('devices/a/shadow/reported', '{"v":1}', { qos: 1, retain: true })
    await pub.publishAsync('devices/c/status', '', { qos: 1, retain: true }) // clears c's
    const receive = async (filter: string) => {
      const sub = await mqtt.connectAsync(broker!.url, { clientId: `sub-${filter}` })
      const got: string[] = []
      sub.on('message', (topic, payload, packet) => packet.retain && got.push(`${topic}=${payload.toString()}`))
      await sub.subscribeAsync(filter, { qos: 1 })
      await new Promise((r) => setTimeout(r, 100))
      await sub.endAsync()
      return got.sort()
    }
    expect(await receive('devices/a/status')).toEqual(['devices/a/status=online-a'])
    expect(await receive('devices/c/status')).toEqual([])
    expect(await receive('devices/+/status')).toEqual(['devices/a/status=online-a', 'devices/b/status=online-b'])
    expect(await receive('devices/a/#')).toEqual(['devices/a/shadow/reported={"v":1}', 'devices/a/status=online-a'])
    await pub.endAsync()
  })
})
