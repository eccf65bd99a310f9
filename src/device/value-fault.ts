import type { SensorChannel } from '../telemetry/index.js'

/**
 * A bad-telemetry fault active on one device, as the sampler sees it. The fault layer creates these;
 * the device applies them to every sample while they are attached.
 */
export interface ValueFault {
  readonly faultId: string
  readonly kind: string
  /** Sensors it affects; undefined = every sensor of the device. */
  readonly sensors: ReadonlySet<string> | undefined
  /**
   * The reported value is no longer in the sensor's unit (a unit change), so the sampler skips the
   * range clamp — for this fault's value and any later fault's on that sensor in the same sample —
   * and only rounds to the sensor's precision. Default false: values are clamped to the range.
   */
  readonly raw?: boolean
  /** The value the device reports instead of `clean`; null = no reading. */
  mutate(sensor: string, clean: number, channel: SensorChannel): number | null
  /** Called after each sample it touched; returning true detaches it (e.g. a spike of N samples). */
  afterSample?(): boolean
  /** Called once when the device detaches it on its own (afterSample returned true). */
  onFinished?(): void
}
