/**
 * Network conditions on a device's side of its link, set by network faults. Several faults combine:
 * latencies add, the tightest bandwidth wins, loss rates compound, and any pause or ack drop applies.
 */
export interface LinkShaping {
  /** Added to every packet in each direction, ms. */
  latencyMs?: number
  /** Uniform extra delay in [0, jitterMs] per packet (order is kept, as on a TCP path). */
  jitterMs?: number
  /** Throughput cap in each direction, bytes per second. */
  bandwidthBps?: number
  /** Chance that a telemetry publish is lost on the way out. */
  lossRate?: number
  /**
   * Nothing gets through either way; bytes are held, as TCP would keep retransmitting them, and
   * flow when the pause ends (if the session is still alive by then).
   */
  paused?: boolean
  /** Incoming PUBACK/PUBREC packets are lost: the device never learns its QoS 1/2 publishes arrived. */
  dropAcks?: boolean
}

export function combineShaping(parts: Iterable<LinkShaping>): LinkShaping {
  let latencyMs = 0
  let jitterMs = 0
  let bandwidthBps = Infinity
  let keep = 1
  let paused = false
  let dropAcks = false
  for (const p of parts) {
    latencyMs += p.latencyMs ?? 0
    jitterMs += p.jitterMs ?? 0
    bandwidthBps = Math.min(bandwidthBps, p.bandwidthBps ?? Infinity)
    keep *= 1 - (p.lossRate ?? 0)
    paused ||= p.paused ?? false
    dropAcks ||= p.dropAcks ?? false
  }
  return { latencyMs, jitterMs, bandwidthBps: Number.isFinite(bandwidthBps) ? bandwidthBps : undefined, lossRate: 1 - keep, paused, dropAcks }
}

export function isShaped(s: LinkShaping): boolean {
  return Boolean(s.latencyMs || s.jitterMs || s.bandwidthBps || s.paused)
}
