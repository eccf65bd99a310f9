import type { FaultKind } from '../../fault-kind.js'
import { cohortShift } from './cohort-shift.js'
import { telemetryClipping } from './clipping.js'
import { telemetryDrift } from './drift.js'
import { telemetryDropout } from './dropout.js'
import { telemetryGain } from './gain.js'
import { telemetryNan } from './nan.js'
import { telemetryNoise } from './noise.js'
import { telemetryOffset } from './offset.js'
import { sensorFailure } from './sensor-failure.js'
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
  sensorFailure,
  cohortShift,
] as unknown as FaultKind[]
