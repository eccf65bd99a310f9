import type { z } from 'zod'
import type { FaultEnvelope } from '../spec/index.js'
import type { VirtualDevice } from '../device/index.js'

/** A fault as planned: envelope (id, kind, at, duration, target) plus its kind's parameters. */
export type FaultEntry = FaultEnvelope & Record<string, unknown>

export interface ApplyContext {
  faultId: string
  /** For faults that end on their own on a device (a spike of N samples): call once when over. */
  done(): void
}

/**
 * One kind of fault (STYLE.md: a file per variant under src/faults/kinds/). The registry gives the
 * fleet-file schema each kind's entry schema, so a bad parameter is reported with file:line.
 */
export interface FaultKind<E extends FaultEntry = FaultEntry> {
  readonly kind: string
  readonly summary: string
  /** Envelope + this kind's parameters, strict (unknown keys rejected). */
  readonly entrySchema: z.ZodType<E>
  /**
   * Starts the fault on one device and returns its undo. A fault without a duration must end on its
   * own through `ctx.done()` (the schema makes `duration` required otherwise).
   */
  apply(device: VirtualDevice, entry: E, ctx: ApplyContext): () => void
}
