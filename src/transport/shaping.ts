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
  /**
   * The link's own one-way latency, log-normal: `medianMs · e^(sigma·Z)` per packet (the profile's
   * `connectivity.network`). Heavy-tailed like a real radio path; order is kept, so a slow packet
   * holds the ones behind it, as TCP does.
   */
  baseLatency?: { medianMs: number; sigma: number }
  /**
   * Chance that a packet is lost on the air and resent by TCP after `rtoMs` (doubling for each
   * further loss of the same packet): on a TCP path, loss shows as delay, never as a lost message.
   */
  retransmit?: { rate: number; rtoMs: number }
}

export function combineShaping(parts: Iterable<LinkShaping>): LinkShaping {
  let latencyMs = 0
  let jitterMs = 0
  let bandwidthBps = Infinity
  let keep = 1
  let paused = false
  let dropAcks = false
  let baseLatency: LinkShaping['baseLatency']
  let retransmit: LinkShaping['retransmit']
  for (const p of parts) {
    baseLatency ??= p.baseLatency
    if (p.retransmit) retransmit = retransmit ? { rate: 1 - (1 - retransmit.rate) * (1 - p.retransmit.rate), rtoMs: Math.max(retransmit.rtoMs, p.retransmit.rtoMs) } : p.retransmit
    latencyMs += p.latencyMs ?? 0
    jitterMs += p.jitterMs ?? 0
    bandwidthBps = Math.min(bandwidthBps, p.bandwidthBps ?? Infinity)
    keep *= 1 - (p.lossRate ?? 0)
    paused ||= p.paused ?? false
    dropAcks ||= p.dropAcks ?? false
  }
  return { latencyMs, jitterMs, bandwidthBps: Number.isFinite(bandwidthBps) ? bandwidthBps : undefined, lossRate: 1 - keep, paused, dropAcks, ...(baseLatency && { baseLatency }), ...(retransmit && { retransmit }) }
}

/** Most resends of one packet before it gets through (TCP gives up later; by then the session is gone anyway). */
const MAX_RESENDS = 6

/**
 * The delay one packet picks up on the way (ms): fixed latency, uniform jitter, the link's log-normal
 * latency and TCP resends. Draws from `random` only for the parts that are set.
 */
export function packetDelayMs(s: LinkShaping, random: () => number): number {
  let delay = (s.latencyMs ?? 0) + (s.jitterMs ? s.jitterMs * random() : 0)
  const base = s.baseLatency
  if (base && base.medianMs > 0) delay += base.sigma > 0 ? base.medianMs * Math.exp(base.sigma * standardNormal(random)) : base.medianMs
  const rt = s.retransmit
  if (rt && rt.rate > 0) {
    let rto = rt.rtoMs
    for (let i = 0; i < MAX_RESENDS && random() < rt.rate; i++, rto *= 2) delay += rto
  }
  return delay
}

/** Box–Muller, one of the pair: two uniforms in, one N(0, 1) out. */
function standardNormal(random: () => number): number {
  const u = 1 - random() // (0, 1]: log(0) never happens
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random())
}

export function isShaped(s: LinkShaping): boolean {
  return Boolean(s.latencyMs || s.jitterMs || s.bandwidthBps || s.paused || s.baseLatency?.medianMs || s.retransmit?.rate)
}
