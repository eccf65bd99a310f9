import type { MessagePort } from 'node:worker_threads'
import type { BrokerToShard, SharedBrokerCtl, ShardToBroker } from './broker-protocol.js'
import type { EmbeddedBroker } from './embedded-broker.js'
import { StreamMux } from './stream-mux.js'

/**
 * The broker's end of device shards' channels (a shard's own end is BrokerShardChannel), wherever
 * the embedded broker runs: in its thread, or on the fleet's thread when that thread hosts the broker
 * (two cores: one device worker beside it). Each shard gets its connections into the broker (a mux
 * of its own), its broker controls, and its events passed to `onEvents` in the order they came with
 * the bytes around them: a shard sends a publish's notice ahead of the publish itself, so the fleet
 * sees a device's notice before its delivery.
 */
export class ShardHost {
  private readonly muxes = new Set<StreamMux>()
  /**
   * Several device shards apply the same broker-wide fault (each runs the fleet's whole plan), so
   * going down and outages are counted: the broker goes down at the first request and comes back at
   * the last release, as it would for one fleet thread.
   */
  private readonly held = { down: 0, outage: 0 }

  constructor(
    private readonly broker: EmbeddedBroker,
    private readonly onEvents: (shard: number, items: unknown[]) => void,
  ) {}

  attach(shard: number, port: MessagePort): void {
    const post = (m: BrokerToShard, transfer: ArrayBuffer[] = []) => port.postMessage(m, transfer)
    const mux = new StreamMux(
      (batch) => post({ t: 'data', batch }, [batch.bytes]),
      (stream) => this.broker.acceptStream(stream),
    )
    this.muxes.add(mux)
    // A shard that ends (or dies) drops its connections, as a crashed device process would.
    port.once('close', () => {
      this.muxes.delete(mux)
      mux.destroyAll()
    })
    port.on('message', (m: ShardToBroker) => {
      if (m.t === 'data') return mux.receive(m.batch)
      if (m.t === 'events') return this.onEvents(shard, m.items)
      answer(() => this.control(m), m.id, post)
    })
  }

  /** Sends what every shard's connections have queued (before the broker's thread stops). */
  flush(): void {
    for (const mux of this.muxes) mux.flush()
  }

  async control(m: SharedBrokerCtl): Promise<unknown> {
    const { broker, held } = this
    switch (m.op) {
      case 'goDown':
        if (held.down++ > 0) return undefined
        return broker.goDown()
      case 'comeUp':
        if (held.down === 0 || --held.down > 0) return undefined
        return broker.comeUp()
      case 'setOutage':
        held.outage = Math.max(0, held.outage + (m.on ? 1 : -1))
        return broker.setOutage(held.outage > 0)
      case 'rejectClient':
        return broker.rejectClient(m.clientId, m.on)
      case 'disconnectClient':
        return broker.disconnectClient(m.clientId)
      case 'stats':
        return broker.stats()
    }
  }
}

/** Runs a control call and replies `done` with its result or error. */
export function answer(run: () => Promise<unknown>, id: number, reply: (m: { t: 'done'; id: number; result?: unknown; error?: string }) => void): void {
  void run().then(
    (result) => reply({ t: 'done', id, result }),
    (e: unknown) => reply({ t: 'done', id, error: e instanceof Error ? e.message : String(e) }),
  )
}
