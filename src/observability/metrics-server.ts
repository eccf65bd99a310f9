import { createServer, type Server } from 'node:http'
import { errors } from '../core/index.js'
import type { FleetMetrics } from './fleet-metrics.js'

/** Serves `GET /metrics` in Prometheus text format. */
export class MetricsServer {
  private constructor(
    private readonly server: Server,
    readonly host: string,
    readonly port: number,
  ) {}

  static async start(metrics: FleetMetrics, host: string, port: number): Promise<MetricsServer> {
    const server = createServer((req, res) => {
      if (req.method === 'GET' && req.url?.split('?')[0] === '/metrics') {
        metrics.text().then(
          (body) => {
            res.writeHead(200, { 'content-type': metrics.registry.contentType })
            res.end(body)
          },
          (e: unknown) => {
            res.writeHead(500, { 'content-type': 'text/plain' })
            res.end(String(e))
          },
        )
        return
      }
      res.writeHead(404, { 'content-type': 'text/plain' })
      res.end('fleet-emu: try /metrics\n')
    })
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject)
        server.listen(port, host, () => {
          server.off('error', reject)
          resolve()
        })
      })
    } catch (e) {
      throw errors.metricsListen(host, port, e)
    }
    const a = server.address()
    return new MetricsServer(server, host, typeof a === 'object' && a ? a.port : port)
  }

  get url(): string {
    return `http://${this.host}:${this.port}/metrics`
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections()
    await new Promise<void>((resolve) => this.server.close(() => resolve()))
  }
}
