/**
 * The service-level indicators a live run measures (report.json `slis`, fleet-file `thresholds`).
 * Each has a unit, so a threshold's unit can be checked (`reconnect_p95: "< 10s"`) and converted
 * to the SLI's base unit: ms for durations, bytes for memory, a fraction for ratios.
 */
export type SliUnit = 'ratio' | 'count' | 'ms' | 'bytes' | 'per_second'

export interface SliInfo {
  unit: SliUnit
  help: string
  /**
   * No data means nothing to breach (e.g. no reconnects in a run without disconnects): a threshold on
   * it passes with a note. For every other SLI, no data fails the threshold: a run that delivered no
   * messages must not pass `latency_p99 < 200ms`.
   */
  vacuous?: boolean
}

export const SLI_CATALOGUE = {
  connect_success_rate: { unit: 'ratio', help: 'successful MQTT connects / connect attempts, counting attempts made while no fault was on the device (nor within 5 s after one)' },
  connect_p50: { unit: 'ms', help: 'connect time (attempt start → online), median' },
  connect_p95: { unit: 'ms', help: 'connect time, 95th percentile' },
  connect_p99: { unit: 'ms', help: 'connect time, 99th percentile' },
  reconnects: { unit: 'count', help: 'devices back online after a fault took them offline (one per device per fault; a drop up to 5 s before the fault reached the device counts as the fault’s, as with device shards a broker-wide fault applied by another shard drops it first)' },
  reconnect_p50: { unit: 'ms', help: 'reconnect time (fault end → online), median', vacuous: true },
  reconnect_p95: { unit: 'ms', help: 'reconnect time, 95th percentile', vacuous: true },
  reconnect_p99: { unit: 'ms', help: 'reconnect time, 99th percentile', vacuous: true },
  reconnect_max: { unit: 'ms', help: 'reconnect time, longest', vacuous: true },
  not_reconnected: { unit: 'count', help: 'devices a fault took offline that were not online again by the end of the run' },
  online_at_end_rate: { unit: 'ratio', help: 'devices online when the run ended / devices' },
  all_online_after: { unit: 'ms', help: 'run start → every device online at once (devices are made before the run starts: this is the connect ramp, boot times included)' },
  latency_p50: { unit: 'ms', help: 'end-to-end latency (device publish → broker delivery), median' },
  latency_p95: { unit: 'ms', help: 'end-to-end latency, 95th percentile' },
  latency_p99: { unit: 'ms', help: 'end-to-end latency, 99th percentile' },
  latency_max: { unit: 'ms', help: 'end-to-end latency, longest' },
  unfaulted_latency_p50: { unit: 'ms', help: 'end-to-end latency of messages made and delivered while no logged fault (± 5 s) was on their device, median' },
  unfaulted_latency_p95: { unit: 'ms', help: 'unfaulted end-to-end latency, 95th percentile' },
  unfaulted_latency_p99: { unit: 'ms', help: 'unfaulted end-to-end latency, 99th percentile' },
  messages_published: { unit: 'count', help: 'telemetry messages devices handed to MQTT' },
  messages_delivered: { unit: 'count', help: 'telemetry messages the probe saw delivered (first copies)' },
  delivered_per_second: { unit: 'per_second', help: 'messages_delivered / run seconds' },
  loss: { unit: 'count', help: 'published messages never delivered' },
  loss_rate: { unit: 'ratio', help: 'loss / messages_published' },
  unexplained_loss: { unit: 'count', help: 'lost messages published outside every logged fault on their device' },
  duplicates: { unit: 'count', help: 'extra deliveries of a message already delivered' },
  unexplained_duplicates: { unit: 'count', help: 'duplicates outside every logged fault on their device' },
  reordered: { unit: 'count', help: 'messages delivered after a later message of the same device' },
  unexplained_reordered: { unit: 'count', help: 'reordered messages outside every logged fault on their device' },
  dropped_offline: { unit: 'count', help: 'samples devices dropped while offline (no or full offline buffer)' },
  rss_peak: { unit: 'bytes', help: 'largest resident set size seen' },
  rss_per_device: { unit: 'bytes', help: 'peak RSS / devices' },
  rss_growth: { unit: 'ratio', help: 'RSS growth after warm-up: (RSS at end − RSS after warm-up) / RSS after warm-up' },
  heap_peak: { unit: 'bytes', help: 'largest V8 heap used seen (summed over the threads: main, device workers, the broker thread)' },
  event_loop_lag_p99: { unit: 'ms', help: 'event-loop delay, 99th percentile (with device workers: the worst of all threads)' },
  event_loop_lag_max: { unit: 'ms', help: 'event-loop delay, longest (with device workers: the worst of all threads)' },
  cpu_utilisation: { unit: 'ratio', help: 'process CPU time / (wall time × cores)' },
} as const satisfies Record<string, SliInfo>

export type SliName = keyof typeof SLI_CATALOGUE
export const SLI_NAMES = Object.keys(SLI_CATALOGUE) as SliName[]

/** Measured values; null where the run had no data (no reconnects, no messages). */
export type SliValues = Record<SliName, number | null>
