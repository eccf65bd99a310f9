import type { TelemetrySample } from '../telemetry/index.js'
import type { SparkplugMetric } from '../telemetry/codecs/sparkplug.js'
import type { Sample } from './sampler.js'

/** The message fault ids of a message no fault touched (shared: never mutated). */
export const NO_FAULT_IDS: readonly string[] = Object.freeze([])
export const EMPTY_VALUES: Record<string, number> = Object.freeze({}) as Record<string, number>
/** The sample of a message that no longer needs one (shared: never mutated). */
export const EMPTY_SAMPLE: Sample = Object.freeze({ ts: 0, tRelMs: 0, values: EMPTY_VALUES, clean: EMPTY_VALUES, faultIds: {} })

/** A telemetry message on its way out of a device, before it reaches the link. */
export interface OutboundMessage {
  topic: string
  qos: 0 | 1
  /** What the JSON payload is built from; faults may change it (clock skew changes `ts`). */
  fields: TelemetrySample
  /** Raw bytes to send instead of encoding `fields` (malformed or schema-drifted payloads). */
  payload?: Buffer
  /**
   * Sparkplug devices: what payload faults do to the DDATA (which is encoded only when published, as
   * its seq is known only then). `payload` is not used for them.
   */
  sparkplug?: SparkplugEdits
  /** Ids of the message-level faults that touched this message (labels come from these). */
  faultIds: string[]
  sample: Sample
}

/** Edits of a Sparkplug DDATA, applied when it is encoded: to its metrics, then to its bytes. */
export interface SparkplugEdits {
  metrics?: (metrics: SparkplugMetric[]) => SparkplugMetric[]
  bytes?: (payload: Buffer) => Buffer
}

/**
 * A message-level telemetry fault attached to one device (duplicate, out-of-order, delayed burst,
 * clock skew, malformed, schema drift). `process` gets each message and calls `emit` zero or more
 * times, now or later; it must mark the message (`faultIds`) synchronously if it changes its fate.
 */
export interface OutboundFault {
  readonly faultId: string
  readonly kind: string
  process(msg: OutboundMessage, emit: (msg: OutboundMessage) => void): void
  /** Called when the fault is detached: send anything still held (a delayed burst flushes here). */
  release?(emit: (msg: OutboundMessage) => void): void
}

/** Runs messages through the attached faults in attach order, then hands them to `deliver`. */
export class OutboundPipeline {
  private readonly faults: OutboundFault[] = []

  constructor(private readonly deliver: (msg: OutboundMessage) => void) {}

  get size(): number {
    return this.faults.length
  }

  attach(fault: OutboundFault): void {
    this.faults.push(fault)
  }

  detach(faultId: string): void {
    const i = this.faults.findIndex((f) => f.faultId === faultId)
    if (i < 0) return
    const [fault] = this.faults.splice(i, 1)
    // What it still holds continues through the faults after it, as attached now.
    const rest = this.faults.slice(i)
    fault!.release?.((m) => this.run(rest, 0, m))
  }

  send(msg: OutboundMessage): void {
    // Almost every message meets no fault: no copy of the (empty) chain for it.
    if (this.faults.length === 0) return this.deliver(msg)
    this.run(this.faults.slice(), 0, msg)
  }

  private run(chain: readonly OutboundFault[], i: number, msg: OutboundMessage): void {
    const fault = chain[i]
    if (!fault) return this.deliver(msg)
    fault.process(msg, (m) => this.run(chain, i + 1, m))
  }
}
