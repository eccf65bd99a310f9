import type { Effect } from './effect.js'

const TYPE = 'counter-reset'

/**
 * `counter-reset`: a crash that loses the firmware's RAM counters (`counters: reset` on
 * `firmware-crash` and `reboot-loop`) restarts the device's message counter — `seq` starts again at 1
 * after each reboot the fault causes. A point anomaly: its record opens when the firmware boots and
 * closes with the first sample after it (the one whose `seq` went back), which carries its id.
 */
export const counterReset: Effect = {
  name: 'counter-reset',
  types: [TYPE],
  watch(device, ctx) {
    if (ctx.entry.counters !== 'reset') return { causeEnded: () => ctx.finished(), dispose: () => {} }
    let active = true
    let marking = false
    const unmark = () => {
      if (marking) device.detachValueFault(ctx.effectId(TYPE))
      marking = false
    }
    const off = device.onStateChange((region, _from, to) => {
      if (region !== 'firmware' || to !== 'booting' || !active) return
      device.resetSeq()
      ctx.open(TYPE)
      if (marking) return
      marking = true
      // Marks (without changing) the first sample after the boot, and closes the record inside it.
      device.attachValueFault({
        faultId: ctx.effectId(TYPE),
        kind: TYPE,
        sensors: undefined,
        mutate: (_sensor, clean) => clean,
        afterSample: () => true,
        onFinished: () => {
          marking = false
          ctx.close(TYPE)
          if (!active) done()
        },
      })
    })
    const done = () => {
      off()
      ctx.finished()
    }
    return {
      causeEnded() {
        active = false
        if (!ctx.isOpen(TYPE)) done()
      },
      dispose() {
        off()
        unmark()
      },
    }
  },
}
