import type { FaultKind } from '../../fault-kind.js'
import { brokerOutage } from './broker-outage.js'
import { brokerRestart } from './broker-restart.js'
import { dropAcks } from './drop-acks.js'

export const brokerKinds = [brokerRestart, brokerOutage, dropAcks] as unknown as FaultKind[]
