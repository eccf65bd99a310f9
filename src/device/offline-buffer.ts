import { EMPTY_SAMPLE, EMPTY_VALUES, NO_FAULT_IDS, type OutboundMessage } from './outbound.js'

/** A message kept as its payload: all that sending it later needs. */
interface KeptPayload {
  readonly topic: string
  readonly qos: 0 | 1
  readonly seq: number
  /** The payload's bytes, one character each (latin1): a flat string is the smallest way V8 keeps them. */
  readonly bytes: string
}

/**
 * A device's store-and-forward buffer: telemetry made while the session is down, sent in order once
 * it is back, the oldest dropped when full. A message whose bytes do not depend on when it goes out
 * (generic JSON) is kept as its payload, encoded now: ~180 B a message instead of ~390 B of message
 * and sample objects (`node bench/offline-buffer-memory.mjs`), which is what thousands of devices
 * hold through an outage (10,000 devices × 600 messages is 6 million).
 */
export class OfflineBuffer {
  private items: (OutboundMessage | KeptPayload)[] = []

  constructor(
    readonly capacity: number,
    /** Makes a message's payload now when it can be (the device's convention). */
    private readonly encoder: { payloadForLater(message: OutboundMessage): Buffer | undefined },
  ) {}

  get length(): number {
    return this.items.length
  }

  /**
   * Keeps a message; false when a message was dropped for it: the oldest, when the buffer was full,
   * or this one, when the buffer keeps none (capacity 0).
   */
  push(message: OutboundMessage): boolean {
    if (this.capacity === 0) return false
    const full = this.items.length >= this.capacity
    if (full) this.items.shift()
    const payload = this.encoder.payloadForLater(message)
    this.items.push(payload === undefined ? message : { topic: message.topic, qos: message.qos, seq: message.fields.seq, bytes: payload.toString('latin1') })
    return !full
  }

  /** The oldest message, to send now (a kept payload comes back as a message carrying it; its `ts` is in the payload). */
  shift(): OutboundMessage | undefined {
    const item = this.items.shift()
    // Emptied after an outage: an array keeps the room it grew to (~400 B at 30 messages, for every
    // device an outage touched), so the next one starts from nothing.
    if (item !== undefined && this.items.length === 0) this.items = []
    if (item === undefined || !('bytes' in item)) return item
    return { topic: item.topic, qos: item.qos, fields: { ts: 0, seq: item.seq, values: EMPTY_VALUES }, payload: Buffer.from(item.bytes, 'latin1'), faultIds: NO_FAULT_IDS as string[], sample: EMPTY_SAMPLE }
  }
}
