import type { FaultKind } from '../../fault-kind.js'

export const brokerKinds: FaultKind[] = []
