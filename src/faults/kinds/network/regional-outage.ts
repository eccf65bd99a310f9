import { z } from 'zod'
import type { FaultKind } from '../../fault-kind.js'
import { entrySchema } from '../envelope.js'
import { linkDropout } from '../../effects/index.js'

const schema = entrySchema('regional-outage', { label: z.string().default('region'), value: z.string() }, { durationRequired: true })

/**
 * A correlated incident: every device whose label `label` (default `region`) equals `value` loses its
 * network at once (a cell tower, an ISP, a site's uplink). The fault id is the root cause that the
 * resulting dropouts, last wills and gaps share in the fault log and dataset labels.
 */
export const regionalOutage: FaultKind<z.output<typeof schema>> = {
  kind: 'regional-outage',
  group: 'fleet',
  summary: 'every device of one region (a label) loses its network at once',
  example: { kind: 'regional-outage', at: '5m', duration: '1m', value: 'eu-west' },
  entrySchema: schema,
  effects: [linkDropout],
  appliesTo: (d, entry) => d.labels[entry.label] === entry.value,
  apply(device) {
    device.setNetworkDown(true)
    return () => device.setNetworkDown(false)
  },
}
