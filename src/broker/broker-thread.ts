import type { Duplex } from 'node:stream'
import { MessageChannel, Worker, type MessagePort } from 'node:worker_threads'
import { errors, workerScript } from '../core/index.js'
import type { BrokerWorkerData, FromBroker, ToBroker } from './broker-protocol.js'
import { StreamMux, type MuxPipeListener } from './stream-mux.js'

export type PublishTap = (topic: string, payloadHead: Buffer | string, clientId: string, atHiresMs: number) => void

/**
 * The embedded broker running in a worker thread, so aedes has a core of its own while the devices
 * run on the main one. Devices reach it through in-memory streams multiplexed over the worker's
 * message port (`connector()`: no socket, no file descriptor); it also listens on TCP for anyone
 * else (a backend, mosquitto_sub). The fault controls are the same as EmbeddedBroker's.
 */
export class BrokerThread {
  private readonly mux: StreamMux
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>()
  private readonly taps: PublishTap[] = []
  private shardListener: ((shard: number, items: unknown[]) => void) | undefined
  private healthListener: ((heapUsedBytes: number) => void) | undefined
  private nextCall = 1
  private exited = false

  private constructor(
    private readonly worker: Worker,
    readonly host: string,
    readonly port: number,
  ) {
    this.mux = new StreamMux((batch) => this.post({ t: 'data', batch }, [batch.bytes]))
    worker.on('message', (m: FromBroker) => this.onMessage(m))
    worker.on('exit', () => {
      this.exited = true
      this.mux.destroyAll()
      for (const p of this.pending.values()) p.reject(new Error('broker thread exited'))
      this.pending.clear()
    })
  }

  static async start(opts: { host?: string; port?: number; tapPublishes?: boolean } = {}): Promise<BrokerThread> {
    const host = opts.host ?? '127.0.0.1'
    const port = opts.port ?? 1883
    const workerData = { host, port, tapPublishes: opts.tapPublishes ?? true } satisfies BrokerWorkerData
    const { script, eval: evalScript } = workerScript(import.meta.url, 'broker-worker')
    const worker = new Worker(script, { eval: evalScript, workerData })
    const first = await new Promise<FromBroker>((resolve, reject) => {
      worker.once('message', resolve)
      worker.once('error', reject)
    })
    if (first.t !== 'ready') {
      await worker.terminate()
      throw errors.brokerListen(host, port, Object.assign(new Error(first.t === 'failed' ? first.message : 'broker thread did not start'), { code: first.t === 'failed' ? first.code : undefined }))
    }
    return new BrokerThread(worker, host, first.port)
  }

  get url(): string {
    const host = this.host.includes(':') ? `[${this.host}]` : this.host
    return `mqtt://${host}:${this.port}`
  }

  /** A new in-memory connection into the broker (what an MQTT client takes as its stream). */
  connect(): Duplex {
    return this.mux.open()
  }

  /** A new in-memory connection into the broker as a bare pipe end (a device's ShapedStream writes into it). */
  connectPipe(listener: MuxPipeListener): { write(chunk: Buffer): void; end(): void; destroy(): void } {
    return this.mux.openPipe(listener)
  }

  /**
   * A channel for a device shard in another worker thread (transfer it there): the shard's own
   * multiplexed connections and broker controls, and a path for its events to this thread, relayed
   * in order with the publishes tapped (`onShardEvents`).
   */
  shardPort(shard: number): MessagePort {
    const { port1, port2 } = new MessageChannel()
    this.worker.postMessage({ t: 'shard-port', shard, port: port1 } satisfies ToBroker, [port1])
    return port2
  }

  /** Events device shards sent through their `shardPort`, in order with the publish taps. */
  onShardEvents(listener: (shard: number, items: unknown[]) => void): void {
    this.shardListener = listener
  }

  /** The broker thread's V8 heap in use, about once a second. */
  onHealth(listener: (heapUsedBytes: number) => void): void {
    this.healthListener = listener
  }

  /** Called for every message a client publishes, with the time the broker routed it. */
  onClientPublish(tap: PublishTap): void {
    this.taps.push(tap)
  }

  goDown(): Promise<void> {
    return this.call({ op: 'goDown' }) as Promise<void>
  }

  comeUp(): Promise<void> {
    return this.call({ op: 'comeUp' }) as Promise<void>
  }

  setOutage(on: boolean): void {
    void this.call({ op: 'setOutage', on }).catch(() => undefined)
  }

  rejectClient(clientId: string, on: boolean): void {
    void this.call({ op: 'rejectClient', clientId, on }).catch(() => undefined)
  }

  disconnectClient(clientId: string): void {
    void this.call({ op: 'disconnectClient', clientId }).catch(() => undefined)
  }

  stats(): Promise<{ clientsConnected: number; publishesIn: number }> {
    return this.call({ op: 'stats' }) as Promise<{ clientsConnected: number; publishesIn: number }>
  }

  async stop(): Promise<void> {
    if (this.exited) return
    this.mux.flush()
    const exited = new Promise<void>((resolve) => this.worker.once('exit', () => resolve()))
    await this.call({ op: 'stop' }).catch(() => undefined)
    await exited
  }

  private call(req: DistributiveOmit<Extract<ToBroker, { t: 'ctl' }>, 't' | 'id'>): Promise<unknown> {
    if (this.exited) return Promise.reject(new Error('broker thread exited'))
    const id = this.nextCall++
    // Data first: a control must not overtake bytes the devices already wrote.
    this.mux.flush()
    this.post({ t: 'ctl', id, ...req } as ToBroker)
    return new Promise((resolve, reject) => this.pending.set(id, { resolve, reject }))
  }

  private post(m: ToBroker, transfer: ArrayBuffer[] = []): void {
    if (!this.exited) this.worker.postMessage(m, transfer)
  }

  private onMessage(m: FromBroker): void {
    if (m.t === 'data') return this.mux.receive(m.batch)
    if (m.t === 'published') {
      const it = m.items
      for (let i = 0; i < it.length; i += 4) for (const tap of this.taps) tap(it[i] as string, it[i + 1] as string, it[i + 2] as string, it[i + 3] as number)
      return
    }
    if (m.t === 'shard') return this.shardListener?.(m.shard, m.items)
    if (m.t === 'health') return this.healthListener?.(m.heapUsedBytes)
    if (m.t === 'done') {
      const p = this.pending.get(m.id)
      this.pending.delete(m.id)
      if (m.error !== undefined) p?.reject(new Error(m.error))
      else p?.resolve(m.result)
    }
  }
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never
