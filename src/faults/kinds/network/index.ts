import type { FaultKind } from '../../fault-kind.js'
import { authFailure } from './auth-failure.js'
import { bandwidth } from './bandwidth.js'
import { disconnect } from './disconnect.js'
import { flap } from './flap.js'
import { keepaliveStall } from './keepalive-stall.js'
import { latency } from './latency.js'
import { loss } from './loss.js'
import { partition } from './partition.js'
import { reconnectStorm } from './reconnect-storm.js'
import { regionalOutage } from './regional-outage.js'

export const networkKinds = [disconnect, flap, partition, reconnectStorm, latency, loss, bandwidth, keepaliveStall, authFailure, regionalOutage] as unknown as FaultKind[]
