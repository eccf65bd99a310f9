import { duplexPair, type Duplex } from 'node:stream'

/** Makes the stream an MQTT client talks over (a TCP socket, or one end of an in-memory pipe). */
export type StreamConnector = () => Duplex

/**
 * In-memory connections into a broker in the same process: each connect makes a duplex pair, gives
 * one end to `accept` (the broker's side, e.g. `aedes.handle`) and returns the other to the client.
 * No socket, no file descriptor — what lets one process hold more devices than its open-file limit
 * allows over TCP. Each end is destroyed when the other closes; otherwise a client's `end()` waits
 * forever for a close that never comes.
 */
export function memoryConnector(accept: (serverSide: Duplex) => void): StreamConnector {
  return () => {
    const [client, server] = duplexPair()
    client.once('close', () => server.destroy())
    server.once('close', () => client.destroy())
    accept(server)
    return client
  }
}
