import type { Effect } from './effect.js'

const TYPE = 'cohort-shift'

/**
 * The level shift a firmware release brings (`firmware-rollout` with `delta`): once the device runs
 * the new version — after the reboot that installs it — its readings (of `sensors`, default all) are
 * off by `delta`: a `cohort-shift` record whose root cause is the rollout. It ends with the rollout
 * (a rollback at the end of its window) or with the run.
 */
export const releaseShift: Effect = {
  name: 'release-shift',
  types: [TYPE],
  watch(device, ctx) {
    const { delta, version } = ctx.entry as { delta?: number; version?: string }
    const sensors = Array.isArray(ctx.entry.sensors) ? (ctx.entry.sensors as string[]) : undefined
    if (delta === undefined) return { causeEnded: () => ctx.finished(), dispose: () => {} }
    let attached = false
    const detach = () => {
      if (attached) device.detachValueFault(ctx.effectId(TYPE))
      attached = false
    }
    const off = device.onStateChange((region, _from, to) => {
      if (region !== 'firmware' || to !== 'running' || attached || device.firmwareVersion !== version) return
      attached = true
      ctx.open(TYPE, { delta, version, ...(sensors && { sensors }) })
      device.attachValueFault({ faultId: ctx.effectId(TYPE), kind: TYPE, sensors: sensors && new Set(sensors), mutate: (_s, clean) => clean + delta })
    })
    return {
      causeEnded() {
        off()
        detach()
        ctx.close(TYPE)
        ctx.finished()
      },
      dispose() {
        off()
        detach()
      },
    }
  },
}
