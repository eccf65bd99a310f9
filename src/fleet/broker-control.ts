import type { BrokerThread, EmbeddedBroker } from '../broker/index.js'
import type { BrokerControl } from '../faults/index.js'

/** Adapts the embedded broker (in this thread or its own) to the controls broker-side faults use. */
export function brokerControl(broker: EmbeddedBroker | BrokerThread): BrokerControl {
  return {
    goDown: () => broker.goDown(),
    comeUp: () => broker.comeUp(),
    setOutage: (on) => broker.setOutage(on),
    rejectClient: (id, on) => broker.rejectClient(id, on),
    disconnectClient: (id) => broker.disconnectClient(id),
  }
}
