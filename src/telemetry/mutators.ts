/**
 * Bad-telemetry mutators: pure functions from the clean value (and fault parameters) to the value the
 * device reports. The fault layer decides when they are active; these only say what they do.
 */
export const mutators = {
  /** A point anomaly: the reading jumps by `delta` (sensor units). */
  spike: (clean: number, delta: number): number => clean + delta,
  /** The sensor repeats the value it had when it got stuck. */
  stuck: (_clean: number, frozen: number): number => frozen,
}
