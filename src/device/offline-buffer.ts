import type { OutboundMessage } from './outbound.js'

/** A message kept as its payload: all that sending it later needs. */
interface KeptPayload {
  readonly topic: string
  readonly qos: 0 | 1
  readonly seq: number
  /** The payload's bytes, one character each (latin1): a flat string is the smallest way V8 keeps them. */
  readonly bytes: string
}

const NO_FAULT_IDS: string[] = Object.freeze([]) as unknown as string[]
const NO_VALUES: Record<string, number> = Object.freeze({}) as Record<string, number>
const NO_SAMPLE: OutboundMessage['sample'] = Object.freeze({ ts: 0, tRelMs: 0, values: NO_VALUES, clean: NO_VALUES, faultIds: {} })

/**
 * A device's store-and-forward buffer: telemetry made while the session is down, sent in order once
 * it is back, the oldest dropped when full. A message whose bytes do not depend on when it goes out
 * (generic JSON) is kept as its payload, encoded now: ~180 B a message instead of ~390 B of message
 * and sample objects (`node bench/offline-buffer-memory.mjs`), which is what thousands of devices
 * hold through an outage (10,000 devices × 600 messages is 6 million).
 */
export class OfflineBuffer {
  private readonly items: (OutboundMessage | KeptPayload)[] = []

  constructor(
    readonly capacity: number,
    /** Makes a message's payload now when it can be (the device's convention). */
    private readonly encoder: { payloadForLater(message: OutboundMessage): Buffer | undefined },
  ) {}

  get length(): number {
    return this.items.length
  }

  /** Keeps a message; false when the buffer was full and the oldest one was dropped for it. */
  push(message: OutboundMessage): boolean {
    const full = this.items.length >= this.capacity
    if (full) this.items.shift()
    const payload = this.encoder.payloadForLater(message)
    this.items.push(payload === undefined ? message : { topic: message.topic, qos: message.qos, seq: message.fields.seq, bytes: payload.toString('latin1') })
    return !full
  }

  /** The oldest message, to send now (a kept payload comes back as a message carrying it). */
  shift(): OutboundMessage | undefined {
    const item = this.items.shift()
    if (item === undefined || !('bytes' in item)) return item
    return { topic: item.topic, qos: item.qos, fields: { ts: 0, seq: item.seq, values: NO_VALUES }, payload: Buffer.from(item.bytes, 'latin1'), faultIds: NO_FAULT_IDS, sample: NO_SAMPLE }
  }
}
