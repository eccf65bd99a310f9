import type { Effect } from './effect.js'

/**
 * `battery-sag` then `battery-dead`: under a drain fault the battery crosses its low (or critical)
 * threshold early — the sag lasts from that crossing until the battery dies or is charged, also after
 * the drain has ended (the charge it took is gone) — and at 0 the device powers off (`battery-dead`,
 * until charged or the run ends: the device is silent). Crossings of a battery that was already low
 * when the fault started, or that happen after the fault ended with no sag open, are not the fault's.
 */
export const batteryEffects: Effect = {
  name: 'battery',
  types: ['battery-sag', 'battery-dead'],
  watch(device, ctx) {
    let active = true
    const check = (to: string) => {
      if (to === 'low' || to === 'critical') {
        if (active && !ctx.isOpen('battery-dead')) ctx.open('battery-sag')
      } else if (to === 'dead') {
        if (active || ctx.isOpen('battery-sag')) {
          ctx.close('battery-sag')
          ctx.open('battery-dead')
        }
      } else {
        ctx.close('battery-sag')
        ctx.close('battery-dead')
      }
      if (!active && !ctx.isOpen('battery-sag') && !ctx.isOpen('battery-dead')) done()
    }
    const off = device.onStateChange((region, _from, to) => {
      if (region === 'battery') check(to)
    })
    const done = () => {
      off()
      ctx.finished()
    }
    return {
      causeEnded() {
        active = false
        if (!ctx.isOpen('battery-sag') && !ctx.isOpen('battery-dead')) done()
      },
      dispose: off,
    }
  },
}
