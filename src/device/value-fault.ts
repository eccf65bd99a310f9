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
  /** The value the device reports instead of `clean`; null = no reading. */
  mutate(sensor: string, clean: number, channel: SensorChannel): number | null
  /** Called after each sample it touched; returning true detaches it (e.g. a spike of N samples). */
  afterSample?(): boolean
  /** Called once when the device detaches it on its own (afterSample returned true). */
  onFinished?(): void
}
