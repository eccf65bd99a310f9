import { parentPort, workerData } from 'node:worker_threads'
import { hiresEpochMs, RealClock, type TimerHandle } from '../core/index.js'
import { EmbeddedBroker } from './embedded-broker.js'
import type { BrokerWorkerData, FromBroker, ToBroker } from './broker-protocol.js'
import { answer, ShardHost } from './shard-host.js'
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
 * Device shards' channels: their connections, their broker controls, and their events, relayed to
 * the fleet's thread in order with the publishes tapped here.
 */
const shards = new ShardHost(broker, (shard, items) => {
  flushTaps()
  send({ t: 'shard', shard, items })
})

port.on('message', (m: ToBroker) => {
  if (m.t === 'data') return mux.receive(m.batch)
  if (m.t === 'shard-port') return shards.attach(m.shard, m.port)
  if (m.op !== 'stop') return answer(() => shards.control(m), m.id, send)
  answer(() => stop(), m.id, send)
})

async function stop(): Promise<void> {
  wall.clearTimeout(healthTimer)
  await broker.stop()
  mux.flush()
  shards.flush()
  setImmediate(() => process.exit(0))
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
