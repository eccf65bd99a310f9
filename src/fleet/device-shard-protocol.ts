import type { MessagePort } from 'node:worker_threads'
import type { ClockAnchor } from '../core/index.js'
import type { CloseReason, ConnectFailure } from '../transport/index.js'
import type { CommandReply, DeviceRegion, DeviceStates } from '../device/index.js'
import type { FaultRecord, PlannedFault } from '../faults/index.js'
import type { ResolvedFleet } from './load-fleet.js'

/**
 * What a fleet running devices tells whoever watches it from outside its thread: every device hook,
 * the injector's hooks and the fault log's records. A device shard (a Fleet in a worker thread)
 * sends these to the fleet's thread, which keeps the run's counts, measurements and outputs.
 */
export interface FleetObserver {
  devicesCreated(devices: readonly { id: string; topic: string; sparkplug: boolean; states: DeviceStates }[]): void
  stateChanged(deviceId: string, region: DeviceRegion, from: string, to: string): void
  connectAttempt(deviceId: string, outcome: 'success' | ConnectFailure['reason']): void
  disconnected(deviceId: string, reason: CloseReason): void
  published(deviceId: string, bytes: number, seq: number | undefined, wireSeq: number | undefined): void
  sampled(deviceId: string): void
  droppedOffline(deviceId: string): void
  commandReceived(deviceId: string, name: string, status: CommandReply['status']): void
  faultStarted(kind: string, faultId: string, devices: number): void
  faultEnded(kind: string, faultId: string): void
  faultSkipped(kind: string, faultId: string, reason: string): void
  faultLogStart(faultId: string, kind: string, deviceId: string, atMs: number, params: Record<string, unknown>, source: FaultRecord['source'], rootCauseId: string | null): void
  /** A closed record, with whether its device was online when it closed (reconnect accounting). */
  faultLogRecord(record: FaultRecord, online: boolean): void
}

/**
 * Event codes on the wire: a shard's events travel as one flat array per batch (op, then the op's
 * fields), cheaper to clone between threads than an object per event at 10,000 publishes a second.
 */
export const EV = {
  devices: 0,
  state: 1,
  attempt: 2,
  disconnected: 3,
  /** deviceId, bytes, seq (−1: none), wireSeq (−1: none), clock ms, hires epoch ms */
  published: 4,
  /** samples made since the last one (a count: one event per sample would double the traffic) */
  sampled: 5,
  droppedOffline: 6,
  command: 7,
  faultStarted: 8,
  faultEnded: 9,
  faultSkipped: 10,
  logStart: 11,
  logRecord: 12,
  /** The shard has stopped: nothing follows. */
  stopped: 13,
  /** heap used, lag p99, lag max (its last second), run lag p99, run lag max (−1: none) */
  health: 14,
} as const

/** What a device shard worker is started with. */
export interface ShardWorkerData {
  shard: number
  resolved: ResolvedFleet
  range: { from: number; to: number }
  seed: number
  durationMs: number
  rampRate: number | undefined
  brokerUrl: string
  brokerPort: MessagePort
  /** The fleet's clock: the shard's reads the same. */
  anchor: ClockAnchor
}

/** The fleet's thread → a device shard. */
export type ToShard =
  | { t: 'start'; runStartMs: number }
  | { t: 'inject'; planned: PlannedFault }
  | { t: 'stop'; reason: 'complete' | 'stopped' | 'interrupted' }

/** A device shard → the fleet's thread (its events go by the broker's end of its channel: see BrokerShardChannel). */
export type FromShard = { t: 'loaded' } | { t: 'started' } | { t: 'failed'; message: string } | { t: 'exiting' }
