import { z } from 'zod'
import { positiveDurationMs } from '../../../spec/index.js'
import type { FaultKind } from '../../fault-kind.js'
import { entrySchema } from '../envelope.js'
import { linkDropout } from '../../effects/index.js'

const schema = entrySchema(
  'flap',
  {
    /** Down/up cycles. */
    cycles: z.number().int().positive().default(3),
    down: positiveDurationMs.default(5_000),
    up: positiveDurationMs.default(10_000),
  },
  { durationRequired: false },
)

/**
 * A flapping link: `cycles` × (network down for `down`, then up for `up`). Each down drops the session
 * uncleanly (last will); the device reconnects with its backoff in each up phase, if it can in time.
 * Ends by itself after the last up phase.
 */
export const flap: FaultKind<z.output<typeof schema>> = {
  kind: 'flap',
  group: 'network',
  summary: 'n cycles of network down/up; last will on each drop; reconnects in between',
  example: { kind: 'flap', at: '30s', target: { fraction: 0.05 }, cycles: 3, down: '5s', up: '10s' },
  entrySchema: schema,
  effects: [linkDropout],
  apply(device, entry, ctx) {
    let cycle = 0
    let down = false
    let timer: unknown
    const step = () => {
      if (!down) {
        if (cycle === entry.cycles) return ctx.done()
        cycle++
        down = true
        device.setNetworkDown(true)
        timer = ctx.clock.setTimeout(step, entry.down)
      } else {
        down = false
        device.setNetworkDown(false)
        timer = ctx.clock.setTimeout(step, entry.up)
      }
    }
    step()
    return () => {
      ctx.clock.clearTimeout(timer)
      if (down) device.setNetworkDown(false)
    }
  },
}
