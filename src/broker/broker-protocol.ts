import type { MessagePort } from 'node:worker_threads'
import type { MuxBatch } from './stream-mux.js'

/** A broker control call, from the fleet's thread or a device shard. */
export type BrokerCtl =
  | { t: 'ctl'; id: number; op: 'goDown' | 'comeUp' | 'stop' | 'stats' }
  | { t: 'ctl'; id: number; op: 'setOutage'; on: boolean }
  | { t: 'ctl'; id: number; op: 'rejectClient'; clientId: string; on: boolean }
  | { t: 'ctl'; id: number; op: 'disconnectClient'; clientId: string }

/** A broker control a device shard (or the fleet's thread) may call: all but `stop`, which is the broker's owner's. */
export type SharedBrokerCtl = Exclude<BrokerCtl, { op: 'stop' }>

/** Messages between the fleet's thread and the broker's worker thread. */
export type ToBroker =
  | { t: 'data'; batch: MuxBatch }
  | BrokerCtl
  /** A device shard's own channel into the broker (see BrokerThread.shardPort). */
  | { t: 'shard-port'; shard: number; port: MessagePort }

export type FromBroker =
  | { t: 'ready'; port: number }
  | { t: 'failed'; message: string; code?: string }
  | { t: 'data'; batch: MuxBatch }
  /** Client publishes, batched: [topic, payload head (≤ 64 bytes of JSON, all of a Sparkplug payload; latin1), clientId, hires epoch ms]… */
  | { t: 'published'; items: (string | number)[] }
  | { t: 'done'; id: number; result?: unknown; error?: string }
  /** A device shard's events, relayed in order with the publishes they precede (see ShardToBroker). */
  | { t: 'shard'; shard: number; items: unknown[] }
  /** The broker thread's own V8 heap in use, about once a second (the run's report counts it). */
  | { t: 'health'; heapUsedBytes: number }

/** A device shard → the broker thread, on the shard's own port. */
export type ShardToBroker =
  | { t: 'data'; batch: MuxBatch }
  /**
   * Events for the fleet's thread (publish notices, state changes…): the broker thread passes them on
   * after the publishes it routed before them and before those that follow, so the fleet sees a
   * device's publish notice before its delivery.
   */
  | { t: 'events'; items: unknown[] }
  | SharedBrokerCtl

/** The broker thread → a device shard. */
export type BrokerToShard = { t: 'data'; batch: MuxBatch } | { t: 'done'; id: number; result?: unknown; error?: string }

export interface BrokerWorkerData {
  host: string
  port: number
  /** Forward client publishes to the fleet's thread (the delivery probe). */
  tapPublishes: boolean
}
