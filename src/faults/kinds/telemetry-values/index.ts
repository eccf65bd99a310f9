import type { FaultKind } from '../../fault-kind.js'
import { cohortShift } from './cohort-shift.js'
import { telemetryClipping } from './clipping.js'
import { telemetryContextual } from './contextual.js'
import { telemetryDecorrelation } from './decorrelation.js'
import { telemetryDrift } from './drift.js'
import { telemetryDropout } from './dropout.js'
import { telemetryGain } from './gain.js'
import { telemetryNan } from './nan.js'
import { telemetryNoise } from './noise.js'
import { telemetryOffset } from './offset.js'
import { telemetrySeasonal } from './seasonal.js'
import { sensorFailure } from './sensor-failure.js'
import { telemetryShapelet } from './shapelet.js'
import { telemetrySpike } from './spike.js'
import { telemetryStuck } from './stuck.js'
import { telemetryUnitChange } from './unit-change.js'

export const telemetryValueKinds = [
  telemetrySpike,
  telemetryStuck,
  telemetryDrift,
  telemetryOffset,
  telemetryGain,
  telemetryNoise,
  telemetryDropout,
  telemetryClipping,
  telemetryNan,
  telemetryUnitChange,
  telemetryContextual,
  telemetryShapelet,
  telemetrySeasonal,
  telemetryDecorrelation,
  sensorFailure,
  cohortShift,
] as unknown as FaultKind[]
