import type { FaultKind } from '../../fault-kind.js'
import { telemetrySpike } from './spike.js'
import { telemetryStuck } from './stuck.js'

export const telemetryValueKinds = [telemetrySpike, telemetryStuck] as unknown as FaultKind[]
