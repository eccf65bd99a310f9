import { createRequire } from 'node:module'
import { Readable } from 'node:stream'
import { ownedBytes } from '../core/index.js'
import { RetainedTopics } from './retained-topics.js'

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
 * aedes' in-memory persistence with the retained messages indexed by topic level. The stock one tests
 * every retained message against every SUBSCRIBE (O(retained) per subscription): with 10,000 devices
 * each keeping a retained status and subscribing as they connect, that scan was half of all CPU and
 * capped the connect ramp. Here a subscription walks its filter through the topic tree
 * ({@link RetainedTopics}): an exact filter or `devices/{id}/commands/#` costs its own path and what
 * lies under it, whatever else is retained.
 */
class IndexedRetainedPersistence extends AsyncMemoryPersistence {
  private readonly retained = new RetainedTopics<RetainedPacket>()

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
    return Readable.from(this.retained.match(pattern))
  }

  /** Filter by filter, as aedes' own does (a message two filters match comes twice). */
  private *matching(patterns: string[]): Generator<RetainedPacket> {
    for (const filter of patterns) yield* this.retained.match(filter)
  }
}

/** The persistence to give `Aedes.createBroker({ persistence })`. */
export function indexedMemoryPersistence(): object {
  return new CallBackPersistence((opts) => new IndexedRetainedPersistence(opts))
}
