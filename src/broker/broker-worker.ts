import { parentPort, workerData, type MessagePort } from 'node:worker_threads'
import { hiresEpochMs, RealClock, type TimerHandle } from '../core/index.js'
import { EmbeddedBroker } from './embedded-broker.js'
import type { BrokerCtl, BrokerToShard, BrokerWorkerData, FromBroker, ShardToBroker, ToBroker } from './broker-protocol.js'
import { StreamMux } from './stream-mux.js'

/**
 * The embedded broker in its own thread (BrokerThread starts it): aedes gets a core of its own, the
 * devices' thread reaches it through multiplexed in-memory streams, and client publishes are tapped
 * for the delivery probe with the time the broker routed them.
 */
const port = parentPort!
const data = workerData as BrokerWorkerData
const send = (m: FromBroker, transfer: ArrayBuffer[] = []) => port.postMessage(m, transfer)

let broker: EmbeddedBroker
try {
  broker = await EmbeddedBroker.start({ host: data.host, port: data.port })
} catch (e) {
  // The fleet's thread wraps this in its own FLEET_ERR_BROKER_LISTEN: send the underlying cause.
  const cause = (e as { cause?: unknown }).cause ?? e
  send({ t: 'failed', message: cause instanceof Error ? cause.message : String(cause), code: (cause as { code?: string }).code })
  process.exit(0)
}

const mux = new StreamMux(
  (batch) => send({ t: 'data', batch }, [batch.bytes]),
  (stream) => broker.acceptStream(stream),
)

/** Enough of a JSON telemetry payload for the probe's ts and seq. */
const JSON_HEAD_BYTES = 64

let items: (string | number)[] = []
let scheduled = false
/** Sends the publishes tapped so far (before a shard's events are relayed, to keep their order). */
function flushTaps(): void {
  scheduled = false
  if (items.length === 0) return
  const batch = items
  items = []
  send({ t: 'published', items: batch })
}

if (data.tapPublishes) {
  broker.onClientPublish((topic, payload, clientId) => {
    // The probe reads a JSON payload's head ({"ts":…,"seq":…} come first); a Sparkplug payload is
    // protobuf with its seq after the metrics, so it goes whole (DDATA is a few hundred bytes).
    const head = topic.startsWith('spBv1.0/') ? payload.length : JSON_HEAD_BYTES
    items.push(topic, payload.toString('latin1', 0, head), clientId, hiresEpochMs())
    if (scheduled) return
    scheduled = true
    setImmediate(flushTaps)
  })
}

/**
 * A device shard's channel: its connections (a mux of their own), its broker controls, and its
 * events, relayed to the fleet's thread in order with the publishes tapped here.
 */
const shardMuxes = new Set<StreamMux>()

function attachShard(shard: number, shardPort: MessagePort): void {
  const post = (m: BrokerToShard, transfer: ArrayBuffer[] = []) => shardPort.postMessage(m, transfer)
  const shardMux = new StreamMux(
    (batch) => post({ t: 'data', batch }, [batch.bytes]),
    (stream) => broker.acceptStream(stream),
  )
  shardMuxes.add(shardMux)
  // A shard that ends (or dies) drops its connections, as a crashed device process would.
  shardPort.once('close', () => {
    shardMuxes.delete(shardMux)
    shardMux.destroyAll()
  })
  shardPort.on('message', (m: ShardToBroker) => {
    if (m.t === 'data') return shardMux.receive(m.batch)
    if (m.t === 'events') {
      flushTaps()
      return send({ t: 'shard', shard, items: m.items })
    }
    answer(m, post)
  })
}

port.on('message', (m: ToBroker) => {
  if (m.t === 'data') return mux.receive(m.batch)
  if (m.t === 'shard-port') return attachShard(m.shard, m.port)
  answer(m, send)
})

/** Runs a control call and replies `done` with its result or error on the caller's port. */
function answer(m: BrokerCtl, reply: (m: { t: 'done'; id: number; result?: unknown; error?: string }) => void): void {
  void control(m).then(
    (result) => reply({ t: 'done', id: m.id, result }),
    (e: unknown) => reply({ t: 'done', id: m.id, error: e instanceof Error ? e.message : String(e) }),
  )
}

/**
 * Several device shards apply the same broker-wide fault (each runs the fleet's whole plan), so going
 * down and outages are counted: the broker goes down at the first request and comes back at the
 * last release, as it would for one fleet thread.
 */
const held = { down: 0, outage: 0 }

async function control(m: BrokerCtl): Promise<unknown> {
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
    case 'stop':
      wall.clearTimeout(healthTimer)
      await broker.stop()
      mux.flush()
      for (const m of shardMuxes) m.flush()
      setImmediate(() => process.exit(0))
      return undefined
  }
}

// The broker's heap is part of the emulator's memory: a soak's heap figures are every thread's.
const wall = new RealClock()
let healthTimer: TimerHandle | undefined
const reportHealth = () => {
  send({ t: 'health', heapUsedBytes: process.memoryUsage().heapUsed })
  healthTimer = wall.setTimeout(reportHealth, 1_000)
}
healthTimer = wall.setTimeout(reportHealth, 1_000)

send({ t: 'ready', port: broker.port })
