import type { z } from 'zod'
import type { Clock, Rng } from '../core/index.js'
import type { FaultEnvelope } from '../spec/index.js'
import type { VirtualDevice } from '../device/index.js'
import type { BrokerControl } from './broker-control.js'
import type { Effect } from './effects/effect.js'
import type { DeviceDescriptor } from './target.js'

/** A fault as planned: envelope (id, kind, at, duration, target, schedule) plus its kind's parameters. */
export type FaultEntry = FaultEnvelope & Record<string, unknown>

/** What a kind gets when it starts on one device. */
export interface ApplyContext {
  /** The occurrence id (`<id>` or `<id>#<n>` for repeated faults): what the log and labels carry. */
  faultId: string
  deviceId: string
  /** Clock time the fault started on this device, epoch ms. */
  startMs: number
  /** Planned end, epoch ms (undefined for faults that end on their own). */
  endMs: number | undefined
  clock: Clock
  /** 0 → 1 over the fault's `ramp` (1 from the start when it has none). */
  intensity(): number
  /** A seeded stream of this fault on this device: adding a fault never shifts another stream. */
  rng(purpose: string): Rng
  /** The embedded broker's controls; undefined with an external broker. */
  broker: BrokerControl | undefined
  /** For faults that end on their own on a device (a spike of N samples): call once when over. */
  done(): void
}

/** What a kind gets once per occurrence, before any device (broker-wide faults act here). */
export interface OccurrenceContext {
  faultId: string
  deviceIds: readonly string[]
  durationMs: number | undefined
  clock: Clock
  broker: BrokerControl | undefined
}

/**
 * One kind of fault (STYLE.md: a file per variant under src/faults/kinds/<group>/). The registry
 * gives the fleet-file schema each kind's entry schema, so a bad parameter is reported with file:line.
 */
export interface FaultKind<E extends FaultEntry = FaultEntry> {
  readonly kind: string
  /** Catalogue group: network, broker, telemetry, device, fleet. */
  readonly group: 'network' | 'broker' | 'telemetry' | 'device' | 'fleet'
  readonly summary: string
  /** Envelope + this kind's parameters, strict (unknown keys rejected). */
  readonly entrySchema: z.ZodType<E>
  /** A minimal valid entry (docs, `plan` examples and the contract test suite use it). */
  readonly example: Record<string, unknown>
  /** Narrows the targets to devices the kind can affect (battery faults: devices with a battery). */
  readonly appliesTo?: (device: DeviceDescriptor, entry: E) => boolean
  /**
   * Broker-wide kinds: at most one occurrence of any exclusive kind may be active at a time (two
   * overlapping broker restarts have no meaning), checked when the fleet file is loaded.
   */
  readonly exclusive?: boolean
  /** True when the kind needs the embedded broker (it is skipped, with a warning, on external ones). */
  readonly needsEmbeddedBroker?: boolean
  /**
   * What the fault causes on a device beyond its own window (a link dropout that lasts until the
   * device is back online, a battery sag): logged as records of their own, with this fault as their
   * root cause, by watchers the injector starts with the fault on each device.
   */
  readonly effects?: readonly Effect[]
  /** Runs once per occurrence before `apply` on each device; returns its undo. */
  begin?(entry: E, ctx: OccurrenceContext): () => void
  /**
   * Starts the fault on one device and returns its undo. A fault without a duration must end on its
   * own through `ctx.done()` (the schema makes `duration` required otherwise).
   */
  apply(device: VirtualDevice, entry: E, ctx: ApplyContext): () => void
}
