import type { Effect } from './effect.js'

const TYPE = 'link-dropout'

/**
 * `link-dropout`: the device is not online — its samples go to the offline buffer or are lost, and a
 * backend sees a gap (and a last will). Opens when the device leaves online while the cause is active
 * (the network is down, the broker refuses, the firmware crashed), or at the cause's start if it is not
 * online then, and lasts until the device is online again — usually after the cause has ended: the
 * reconnect backoff is part of the effect. Closes early if the device powers off (a dead battery is
 * not a link problem). One that ends the instant it began is not logged.
 */
export const linkDropout: Effect = {
  name: 'link-dropout',
  types: [TYPE],
  watch(device, ctx) {
    let active = true
    const check = () => {
      const { firmware, connectivity } = device.currentStates
      if (ctx.isOpen(TYPE)) {
        if (connectivity === 'online' || firmware === 'off') ctx.close(TYPE)
      } else if (active && firmware !== 'off' && connectivity !== 'online') ctx.open(TYPE)
      if (!active && !ctx.isOpen(TYPE)) done()
    }
    const off = device.onStateChange((region) => {
      if (region === 'connectivity' || region === 'firmware') check()
    })
    const done = () => {
      off()
      ctx.finished()
    }
    check()
    return {
      causeEnded() {
        active = false
        check()
      },
      dispose: off,
    }
  },
}
