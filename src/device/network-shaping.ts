import type { NetworkConditions } from '../spec/index.js'
import type { LinkShaping } from '../transport/index.js'

/** z for the 99th percentile of N(0, 1): a log-normal's sigma from its median and p99. */
const Z99 = 2.3263478740408408

/** Linux's minimum TCP retransmission timeout: a lost packet on a fast path still costs this much. */
const MIN_RTO_MS = 200

/**
 * A profile's network conditions as link shaping: log-normal one-way latency through the given
 * median and p99, each lost packet resent after an RTO of about two round trips (never under 200 ms),
 * and the bandwidth cap.
 */
export function networkShaping(n: NetworkConditions): LinkShaping {
  const { median, p99 } = n.latency
  const sigma = median > 0 && p99 > median ? Math.log(p99 / median) / Z99 : 0
  return {
    ...(median > 0 && { baseLatency: { medianMs: median, sigma } }),
    ...(n.loss > 0 && { retransmit: { rate: n.loss, rtoMs: Math.max(MIN_RTO_MS, 4 * median) } }),
    ...(n.bandwidth !== undefined && { bandwidthBps: n.bandwidth }),
  }
}
