import type { Clock } from '../../core/index.js'
import type { VirtualDevice } from '../../device/index.js'
import type { FaultEntry } from '../fault-kind.js'

/**
 * What an effect's watcher may do on one device: open and close records of the anomaly types it
 * derives, each id `<cause id>/<type>`, logged with the cause as their root cause.
 */
export interface EffectContext {
  /** The causing fault occurrence (`south-outage`, `spikes#3`). */
  readonly causeId: string
  readonly deviceId: string
  /** The cause's entry (its parameters say which effects it has, e.g. `counters: reset`). */
  readonly entry: FaultEntry
  readonly clock: Clock
  /** The record id of `type` on this cause: `<cause id>/<type>`. */
  effectId(type: string): string
  /** Opens a record of `type` on this device now; nothing when one is open. */
  open(type: string, params?: Record<string, unknown>): void
  /** Closes the open record of `type`, if any. */
  close(type: string): void
  isOpen(type: string): boolean
  /** The watcher is done (its cause has ended and it has nothing open): stop tracking it. */
  finished(): void
}

/** One cause's watcher on one device, as the tracker holds it. */
export interface EffectWatch {
  /** The cause has ended on this device; the watcher may keep an effect open until it is over. */
  causeEnded(): void
  /** The run stops: undo anything the watcher did to the device (its records are closed as truncated). */
  dispose(): void
}

/**
 * A propagated effect: what a fault's direct action does to a device later, or for longer — the link
 * dropout after a regional outage (it lasts until the device is back online, past the outage's end),
 * the battery sag and then death under a drain fault. A kind lists the effects it causes
 * (`FaultKind.effects`); the injector starts a watcher for each when the kind starts on a device, and
 * the watcher logs the derived records as they happen, with the cause's id as their root cause —
 * labels come from the log, never re-derived afterwards.
 */
export interface Effect {
  readonly name: string
  /** The anomaly types (record kinds) its records have. */
  readonly types: readonly string[]
  watch(device: VirtualDevice, ctx: EffectContext): EffectWatch
}
