import type { SensorChannel } from '../../../telemetry/index.js'
import type { VirtualDevice } from '../../../device/index.js'
import type { ApplyContext } from '../../fault-kind.js'

/**
 * Attaches a window value fault (one that lasts until the injector undoes it) to `sensors` (all when
 * undefined) and returns its undo. `raw`: the values are in another unit, so the range clamp is skipped.
 */
export function attachWindowFault(
  device: VirtualDevice,
  ctx: ApplyContext,
  kind: string,
  sensors: readonly string[] | undefined,
  mutate: (sensor: string, clean: number, channel: SensorChannel) => number | null,
  opts: { raw?: boolean } = {},
): () => void {
  device.attachValueFault({ faultId: ctx.faultId, kind, sensors: sensors ? new Set(sensors) : undefined, mutate, raw: opts.raw })
  return () => device.detachValueFault(ctx.faultId)
}
