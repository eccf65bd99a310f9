import type { FaultKind } from '../../fault-kind.js'
import { batteryDrain } from './battery-drain.js'
import { firmwareCrash } from './firmware-crash.js'
import { firmwareRollout } from './firmware-rollout.js'
import { otaFailure } from './ota-failure.js'
import { rebootLoop } from './reboot-loop.js'

export const deviceKinds = [batteryDrain, firmwareCrash, rebootLoop, otaFailure, firmwareRollout] as unknown as FaultKind[]
