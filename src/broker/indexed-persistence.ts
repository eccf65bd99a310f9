import { createRequire } from 'node:module'
import { Readable } from 'node:stream'
import { ownedBytes } from '../core/index.js'

// aedes-persistence ships CommonJS classes without typed deep exports; these are the parts used here.
interface RetainedPacket {
  topic: string
  payload: Buffer
}
type AsyncPersistenceClass = new (opts?: object) => {
  storeRetained(packet: RetainedPacket): Promise<void>
  createRetainedStreamCombi(patterns: string[]): Readable
  createRetainedStream(pattern: string): Readable
}
type CallBackPersistenceClass = new (factory: (opts: object) => object, opts?: object) => object

const require = createRequire(import.meta.url)
const AsyncMemoryPersistence = require('aedes-persistence/asyncPersistence.js') as AsyncPersistenceClass
const { CallBackPersistence } = require('aedes-persistence/callBackPersistence.js') as { CallBackPersistence: CallBackPersistenceClass }

/**
 * aedes' in-memory persistence with the retained messages indexed by topic. The stock one tests every
 * retained message against every SUBSCRIBE (O(retained) per subscription): with 10,000 devices each
 * keeping a retained status, and subscribing twice per connect, that scan was half of all CPU and
 * capped the connect ramp. Devices subscribe to exact topics, which this answers with one map lookup;
 * wildcard filters (a backend's `devices/+/status`) still scan, as before.
 */
class IndexedRetainedPersistence extends AsyncMemoryPersistence {
  private readonly retained = new Map<string, RetainedPacket>()

  /**
   * Kept with a payload of its own: the parsed one is a slice of what the client sent in that turn
   * (a reconnecting device's status together with its buffered telemetry), and a slice keeps all of
   * it alive for as long as the message stays retained.
   */
  override async storeRetained(pkt: RetainedPacket): Promise<void> {
    if (pkt.payload.length === 0) this.retained.delete(pkt.topic)
    else this.retained.set(pkt.topic, { ...pkt, payload: ownedBytes(pkt.payload) })
  }

  override createRetainedStreamCombi(patterns: string[]): Readable {
    return Readable.from(this.matching(patterns))
  }

  override createRetainedStream(pattern: string): Readable {
    return Readable.from(this.matching([pattern]))
  }

  private *matching(patterns: string[]): Generator<RetainedPacket> {
    for (const filter of patterns) {
      if (!filter.includes('+') && !filter.includes('#')) {
        const packet = this.retained.get(filter)
        if (packet) yield packet
        continue
      }
      for (const [topic, packet] of this.retained) if (topicMatches(filter, topic)) yield packet
    }
  }
}

/** The persistence to give `Aedes.createBroker({ persistence })`. */
export function indexedMemoryPersistence(): object {
  return new CallBackPersistence((opts) => new IndexedRetainedPersistence(opts))
}

/**
 * MQTT topic-filter matching (MQTT 3.1.1 §4.7): `+` is one level, `#` (last) is any number of levels
 * including none (`a/#` matches `a`), and filters starting with a wildcard do not match `$` topics.
 */
export function topicMatches(filter: string, topic: string): boolean {
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
