import type { FaultKind } from '../../fault-kind.js'
import { disconnect } from './disconnect.js'

export const networkKinds = [disconnect] as unknown as FaultKind[]
