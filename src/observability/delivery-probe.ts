import { DurationHistogram } from './duration-histogram.js'
import { PendingSeqs } from './pending-seqs.js'

export interface DeliveryProbeOptions {
  /**
   * How far (clock ms) around a fault's window a message anomaly still counts as explained by it:
   * a message in flight when a link is cut is lost just before the fault starts, a QoS 1 resend
   * arrives just after it ends.
   */
  graceMs?: number
}

/** What the probe counted; `unexplained*` are the anomalies no logged fault on the device accounts for. */
export interface ProbeCounts {
  published: number
  delivered: number
  duplicates: number
  unexplainedDuplicates: number
  reordered: number
  unexplainedReordered: number
  /** Deliveries the probe could not read a device seq from (malformed payloads). */
  undecodable: number
  /** Published, not (yet) delivered. Final once `finish()` has run. */
  lost: number
  unexplainedLost: number
}

interface DeviceTrack {
  /**
   * seq → publish times of copies not delivered yet (a duplicating fault publishes a seq twice):
   * clock ms (fault windows are on the run clock) and monotonic wall ms (latency is real time,
   * whatever the speed factor).
   */
  pending: PendingSeqs
  /** Every seq ≤ watermark was delivered; `above` holds the delivered ones past it (made on first use). */
  watermark: number
  above: Set<number> | undefined
  maxDelivered: number
  /** Fault windows on this device, clock ms; `end` undefined while the fault is active. */
  windows: { start: number; end: number | undefined }[]
}

/**
 * Per-message accounting on the broker side of the link: every telemetry message a device publishes
 * is matched, by device and seq, with its delivery. Latency goes into HDR histograms; gaps, repeats
 * and late arrivals are counted, and each is checked against the fault windows of its device —
 * explained when a logged fault (± graceMs) covers the message's time, unexplained otherwise.
 * Pure bookkeeping: the fleet feeds it publishes, deliveries and fault windows.
 */
export class DeliveryProbe {
  readonly latency = new DurationHistogram()
  /**
   * Latency of messages made and delivered while no logged fault (± graceMs) was on their device:
   * the broker path's own latency, without messages held back by a fault (an offline buffer
   * flushed after a broker restart counts in `latency`, not here).
   */
  readonly unfaultedLatency = new DurationHistogram()
  /** Latency of deliveries since the last `takeInterval()` (the report's timeline). */
  private intervalLatency = new DurationHistogram()
  private readonly devices = new Map<string, DeviceTrack>()
  private readonly graceMs: number
  private finished = false
  readonly counts: ProbeCounts = { published: 0, delivered: 0, duplicates: 0, unexplainedDuplicates: 0, reordered: 0, unexplainedReordered: 0, undecodable: 0, lost: 0, unexplainedLost: 0 }

  constructor(opts: DeliveryProbeOptions = {}) {
    this.graceMs = opts.graceMs ?? 5_000
  }

  private track(deviceId: string): DeviceTrack {
    let t = this.devices.get(deviceId)
    if (!t) this.devices.set(deviceId, (t = { pending: new PendingSeqs(), watermark: 0, above: undefined, maxDelivered: 0, windows: [] }))
    return t
  }

  faultStarted(deviceId: string, clockMs: number): void {
    this.track(deviceId).windows.push({ start: clockMs, end: undefined })
  }

  faultEnded(deviceId: string, clockMs: number): void {
    const w = this.track(deviceId).windows.findLast((x) => x.end === undefined)
    if (w) w.end = clockMs
  }

  /** A device handed telemetry message `seq` to MQTT. Seqs start at 1. */
  published(deviceId: string, seq: number, clockMs: number, monoMs: number): void {
    this.counts.published++
    this.counts.lost++
    this.track(deviceId).pending.add(seq, clockMs, monoMs)
  }

  /**
   * The broker delivered `seq` of `deviceId`. `sentClockMs` is the message's own timestamp when the
   * payload has one (it bounds when a copy with no publish on record, e.g. a QoS 1 resend, was made).
   * Returns the latency (ms) when a publish of this seq was on record.
   */
  delivered(deviceId: string, seq: number, sentClockMs: number | undefined, clockMs: number, monoMs: number): number | undefined {
    const t = this.track(deviceId)
    const copy = t.pending.take(seq)
    const latencyMs = copy && monoMs - copy.monoMs
    if (latencyMs !== undefined) {
      this.counts.lost--
      this.latency.record(latencyMs)
      this.intervalLatency.record(latencyMs)
    }
    const from = copy?.clockMs ?? sentClockMs ?? clockMs
    if (latencyMs !== undefined && !this.explained(t, from, clockMs)) this.unfaultedLatency.record(latencyMs)
    if (seq <= t.watermark || t.above?.has(seq)) {
      this.counts.duplicates++
      if (!this.explained(t, from, clockMs)) this.counts.unexplainedDuplicates++
      return latencyMs
    }
    this.counts.delivered++
    if (seq < t.maxDelivered) {
      this.counts.reordered++
      if (!this.explained(t, from, clockMs)) this.counts.unexplainedReordered++
    } else t.maxDelivered = seq
    // In order (the common case): the watermark moves, no set is touched.
    if (seq === t.watermark + 1 && !t.above?.size) t.watermark = seq
    else {
      const above = (t.above ??= new Set())
      above.add(seq)
      while (above.delete(t.watermark + 1)) t.watermark++
      // Caught up (the gap a fault made is filled): a Set kept empty per device knocked off is ~100 B.
      if (above.size === 0) t.above = undefined
    }
    return latencyMs
  }

  /** A delivery whose payload held no readable seq. */
  undecodable(): void {
    this.counts.undecodable++
  }

  /** Latency histogram of deliveries since the previous call (for per-interval percentiles). */
  takeInterval(): DurationHistogram {
    const h = this.intervalLatency
    this.intervalLatency = new DurationHistogram()
    return h
  }

  /** Messages published and not delivered yet, over all devices. */
  get inFlight(): number {
    return this.counts.lost
  }

  /**
   * Ends the accounting: whatever is still pending is lost, explained when a fault window on its
   * device (± graceMs) covers its publish time. Idempotent.
   */
  finish(): ProbeCounts {
    if (this.finished) return this.counts
    this.finished = true
    let unexplained = 0
    for (const t of this.devices.values()) {
      for (const c of t.pending.copies()) if (!this.explained(t, c.clockMs, c.clockMs)) unexplained++
    }
    this.counts.unexplainedLost = unexplained
    return this.counts
  }

  /** Whether a fault window on the device overlaps [from − grace, to + grace]. */
  private explained(t: DeviceTrack, fromMs: number, toMs: number): boolean {
    const lo = fromMs - this.graceMs
    const hi = toMs + this.graceMs
    return t.windows.some((w) => w.start <= hi && (w.end === undefined || w.end >= lo))
  }
}
