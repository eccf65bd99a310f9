import type { EmbeddedBroker } from '../broker/index.js'
import type { BrokerControl } from '../faults/index.js'

/** Adapts the embedded broker to the controls broker-side faults use. */
export function brokerControl(broker: EmbeddedBroker): BrokerControl {
  return {
    goDown: () => broker.goDown(),
    comeUp: () => broker.comeUp(),
    setOutage: (on) => broker.setOutage(on),
    rejectClient: (id, on) => broker.rejectClient(id, on),
    disconnectClient: (id) => broker.disconnectClient(id),
  }
}
