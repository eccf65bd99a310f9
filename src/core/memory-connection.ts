import { duplexPair, type Duplex } from 'node:stream'

/**
 * An in-memory connection: a duplex pair, one end given to `accept` (a broker's side, e.g.
 * `aedes.handle`), the other returned (a client's stream). No socket, no file descriptor. Each end is
 * destroyed when the other closes; otherwise a client's `end()` waits forever for a close that never
 * comes.
 */
export function memoryConnection(accept: (serverSide: Duplex) => void): Duplex {
  const [client, server] = duplexPair()
  client.once('close', () => server.destroy())
  server.once('close', () => client.destroy())
  accept(server)
  return client
}
