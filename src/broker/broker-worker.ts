import { parentPort, workerData } from 'node:worker_threads'
import { hiresEpochMs } from '../core/index.js'
import { EmbeddedBroker } from './embedded-broker.js'
import type { BrokerWorkerData, FromBroker, ToBroker } from './broker-protocol.js'
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

if (data.tapPublishes) {
  let items: (string | number)[] = []
  let scheduled = false
  broker.onClientPublish((topic, payload, clientId) => {
    // The probe reads a JSON payload's head ({"ts":…,"seq":…} come first); a Sparkplug payload is
    // protobuf with its seq after the metrics, so it goes whole (DDATA is a few hundred bytes).
    const head = topic.startsWith('spBv1.0/') ? payload.length : JSON_HEAD_BYTES
    items.push(topic, payload.toString('latin1', 0, head), clientId, hiresEpochMs())
    if (scheduled) return
    scheduled = true
    setImmediate(() => {
      scheduled = false
      const batch = items
      items = []
      send({ t: 'published', items: batch })
    })
  })
}

port.on('message', (m: ToBroker) => {
  if (m.t === 'data') return mux.receive(m.batch)
  void control(m).then(
    (result) => send({ t: 'done', id: m.id, result }),
    (e: unknown) => send({ t: 'done', id: m.id, error: e instanceof Error ? e.message : String(e) }),
  )
})

async function control(m: Extract<ToBroker, { t: 'ctl' }>): Promise<unknown> {
  switch (m.op) {
    case 'goDown':
      return broker.goDown()
    case 'comeUp':
      return broker.comeUp()
    case 'setOutage':
      return broker.setOutage(m.on)
    case 'rejectClient':
      return broker.rejectClient(m.clientId, m.on)
    case 'disconnectClient':
      return broker.disconnectClient(m.clientId)
    case 'stats':
      return broker.stats()
    case 'stop':
      await broker.stop()
      mux.flush()
      setImmediate(() => process.exit(0))
      return undefined
  }
}

send({ t: 'ready', port: broker.port })
