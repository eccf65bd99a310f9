import type { FaultKind } from '../../fault-kind.js'
import { batteryDrain } from './battery-drain.js'
import { firmwareCrash } from './firmware-crash.js'
import { rebootLoop } from './reboot-loop.js'

export const deviceKinds = [batteryDrain, firmwareCrash, rebootLoop] as unknown as FaultKind[]
