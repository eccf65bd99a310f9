import type { FaultKind } from '../../fault-kind.js'
import { telemetryClockSkew } from './clock-skew.js'
import { telemetryDelayedBurst } from './delayed-burst.js'
import { telemetryDuplicate } from './duplicate.js'
import { telemetryMalformed } from './malformed.js'
import { telemetryOutOfOrder } from './out-of-order.js'
import { telemetrySchemaDrift } from './schema-drift.js'

export const telemetryMessageKinds = [
  telemetryMalformed,
  telemetrySchemaDrift,
  telemetryClockSkew,
  telemetryDuplicate,
  telemetryOutOfOrder,
  telemetryDelayedBurst,
] as unknown as FaultKind[]
