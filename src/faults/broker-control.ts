/**
 * What broker-side faults may do to the embedded broker. Defined here (the faults layer may not
 * import src/broker); the fleet adapts its EmbeddedBroker to it.
 */
export interface BrokerControl {
  /** Stops listening and drops every client at once (as a crashed broker process would). */
  goDown(): Promise<void>
  /** Listens again on the same port. */
  comeUp(): Promise<void>
  /** While on: existing sessions are closed and CONNACK says "server unavailable" (code 3). */
  setOutage(on: boolean): void
  /** While a client id is in here its CONNACK says "bad user name or password" (code 4). */
  rejectClient(clientId: string, on: boolean): void
  /** Closes one client's session from the broker side (no last will is suppressed: the will fires). */
  disconnectClient(clientId: string): void
}
