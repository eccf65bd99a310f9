import type { Duplex } from 'node:stream'
import type { MessagePort } from 'node:worker_threads'
import type { BrokerToShard, SharedBrokerCtl, ShardToBroker } from './broker-protocol.js'
import { StreamMux, type MuxPipeListener } from './stream-mux.js'

type CtlRequest = DistributiveOmit<SharedBrokerCtl, 't' | 'id'>

/**
 * A device shard's end of its channel into the broker (BrokerThread.shardPort, or EmbeddedBroker's
 * on the fleet's thread; ShardHost is the broker's end): in-memory
 * connections for its devices, the broker controls broker-side faults use, and an event stream to
 * the fleet's thread. Events written before a publish always reach the fleet before that publish's
 * delivery: pending events go out just ahead of every batch of connection bytes, on the same port,
 * and the broker's end passes them on in that order.
 */
export class BrokerShardChannel {
  private readonly mux: StreamMux
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>()
  private events: unknown[] = []
  private scheduled = false
  private nextCall = 1
  private closed = false

  constructor(private readonly port: MessagePort) {
    this.mux = new StreamMux((batch) => {
      this.flushEvents()
      this.post({ t: 'data', batch }, [batch.bytes])
    })
    port.on('message', (m: BrokerToShard) => {
      if (m.t === 'data') return this.mux.receive(m.batch)
      const p = this.pending.get(m.id)
      this.pending.delete(m.id)
      if (m.error !== undefined) p?.reject(new Error(m.error))
      else p?.resolve(m.result)
    })
  }

  /** A new in-memory connection into the broker (an MQTT client's stream). */
  connect(): Duplex {
    return this.mux.open()
  }

  /** A new in-memory connection into the broker as a bare pipe end (a device's ShapedStream writes into it). */
  connectPipe(listener: MuxPipeListener): { write(chunk: Buffer): void; end(): void; destroy(): void } {
    return this.mux.openPipe(listener)
  }

  /** Queues event items (flat values) for the fleet's thread; sent within this event-loop turn. */
  event(...items: unknown[]): void {
    for (const it of items) this.events.push(it)
    if (this.scheduled) return
    this.scheduled = true
    setImmediate(() => this.flushEvents())
  }

  /** Sends the queued events now (before bytes, and before a shard reports it has stopped). */
  flushEvents(): void {
    this.scheduled = false
    if (this.events.length === 0) return
    const items = this.events
    this.events = []
    this.post({ t: 'events', items })
  }

  call(req: CtlRequest): Promise<unknown> {
    if (this.closed) return Promise.reject(new Error('broker channel closed'))
    const id = this.nextCall++
    // Bytes first: a control must not overtake what the devices already wrote.
    this.mux.flush()
    this.post({ t: 'ctl', id, ...req } as ShardToBroker)
    return new Promise((resolve, reject) => this.pending.set(id, { resolve, reject }))
  }

  /**
   * Sends what is queued and stops sending (the shard is done). The port itself stays open until the
   * worker ends, so nothing already posted is cut off.
   */
  close(): void {
    if (this.closed) return
    this.mux.flush()
    this.flushEvents()
    this.closed = true
    for (const p of this.pending.values()) p.reject(new Error('broker channel closed'))
    this.pending.clear()
  }

  private post(m: ShardToBroker, transfer: ArrayBuffer[] = []): void {
    if (!this.closed) this.port.postMessage(m, transfer)
  }
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never
