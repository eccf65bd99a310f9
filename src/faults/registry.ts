import type { FaultEntrySchemas } from '../spec/index.js'
import type { FaultKind } from './fault-kind.js'
import { brokerKinds } from './kinds/broker/index.js'
import { deviceKinds } from './kinds/device/index.js'
import { networkKinds } from './kinds/network/index.js'
import { telemetryMessageKinds } from './kinds/telemetry-messages/index.js'
import { telemetryValueKinds } from './kinds/telemetry-values/index.js'

/**
 * Every fault kind, by name. Fleet files, `fleet.inject()` and the control plane all go through it.
 * Each group's folder under kinds/ lists its own kinds.
 */
export const faultKinds: Readonly<Record<string, FaultKind>> = Object.fromEntries(
  [...networkKinds, ...brokerKinds, ...telemetryValueKinds, ...telemetryMessageKinds, ...deviceKinds].map((k) => [k.kind, k]),
)

export const faultEntrySchemas: FaultEntrySchemas = Object.fromEntries(Object.values(faultKinds).map((k) => [k.kind, k.entrySchema]))
