import type { MuxBatch } from './stream-mux.js'

/** Messages between the fleet's thread and the broker's worker thread. */
export type ToBroker =
  | { t: 'data'; batch: MuxBatch }
  | { t: 'ctl'; id: number; op: 'goDown' | 'comeUp' | 'stop' | 'stats' }
  | { t: 'ctl'; id: number; op: 'setOutage'; on: boolean }
  | { t: 'ctl'; id: number; op: 'rejectClient'; clientId: string; on: boolean }
  | { t: 'ctl'; id: number; op: 'disconnectClient'; clientId: string }

export type FromBroker =
  | { t: 'ready'; port: number }
  | { t: 'failed'; message: string; code?: string }
  | { t: 'data'; batch: MuxBatch }
  /** Client publishes, batched: [topic, payload head (≤ 64 bytes of JSON, all of a Sparkplug payload; latin1), clientId, hires epoch ms]… */
  | { t: 'published'; items: (string | number)[] }
  | { t: 'done'; id: number; result?: unknown; error?: string }

export interface BrokerWorkerData {
  host: string
  port: number
  /** Forward client publishes to the fleet's thread (the delivery probe). */
  tapPublishes: boolean
}
