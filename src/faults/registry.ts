import type { FaultEntrySchemas } from '../spec/index.js'
import type { FaultKind } from './fault-kind.js'
import { disconnect } from './kinds/disconnect.js'
import { telemetrySpike } from './kinds/telemetry-spike.js'
import { telemetryStuck } from './kinds/telemetry-stuck.js'

/** Every fault kind, by name. Fleet files, `fleet.inject()` and the control plane all go through it. */
export const faultKinds: Readonly<Record<string, FaultKind>> = Object.fromEntries(
  ([disconnect, telemetrySpike, telemetryStuck] as unknown as FaultKind[]).map((k) => [k.kind, k]),
)

export const faultEntrySchemas: FaultEntrySchemas = Object.fromEntries(Object.values(faultKinds).map((k) => [k.kind, k.entrySchema]))
