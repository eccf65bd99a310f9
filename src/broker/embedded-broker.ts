import { createServer, type Server, type Socket } from 'node:net'
import { Aedes, type AedesOptions } from 'aedes'
import { errors } from '../core/index.js'

export interface EmbeddedBrokerOptions {
  host?: string
  /** 0 picks a free port (what tests use). */
  port?: number
  /** Policy hooks (authenticate, authorizePublish…), as aedes takes them. */
  hooks?: Pick<AedesOptions, 'authenticate' | 'authorizePublish' | 'authorizeSubscribe' | 'preConnect'>
}

export interface BrokerStats {
  clientsConnected: number
  publishesIn: number
}

/**
 * An aedes broker listening on TCP. Started by a fleet when the fleet file names no external broker;
 * any MQTT client (mosquitto_sub, a backend under test) can connect to it while the fleet runs.
 */
export class EmbeddedBroker {
  private publishes = 0
  private readonly sockets = new Set<Socket>()

  private boundPort = 0

  private constructor(
    readonly aedes: Aedes,
    private readonly server: Server,
    readonly host: string,
  ) {
    aedes.on('publish', (_packet, client) => {
      if (client) this.publishes++
    })
    server.on('connection', (socket) => {
      this.sockets.add(socket)
      socket.once('close', () => this.sockets.delete(socket))
      aedes.handle(socket)
    })
  }

  static async start(opts: EmbeddedBrokerOptions = {}): Promise<EmbeddedBroker> {
    const host = opts.host ?? '127.0.0.1'
    const requested = opts.port ?? 1883
    const aedes = await Aedes.createBroker({ ...opts.hooks })
    const server = createServer()
    const broker = new EmbeddedBroker(aedes, server, host)
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject)
        server.listen(requested, host, () => {
          server.off('error', reject)
          resolve()
        })
      })
    } catch (e) {
      await new Promise<void>((resolve) => aedes.close(() => resolve()))
      throw errors.brokerListen(host, requested, e)
    }
    const address = server.address()
    broker.boundPort = typeof address === 'object' && address ? address.port : requested
    return broker
  }

  get port(): number {
    return this.boundPort
  }

  get url(): string {
    const host = this.host.includes(':') ? `[${this.host}]` : this.host
    return `mqtt://${host}:${this.port}`
  }

  stats(): BrokerStats {
    return { clientsConnected: this.aedes.connectedClients, publishesIn: this.publishes }
  }

  /** Closes every client connection and the listener. */
  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.aedes.close(() => resolve()))
    for (const s of this.sockets) s.destroy()
    await new Promise<void>((resolve) => this.server.close(() => resolve()))
  }
}
