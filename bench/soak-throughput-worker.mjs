// One side of bench/soak-throughput.mjs, in its own process: `node soak-throughput-worker.mjs bare|emulator N seconds`.
// Prints one JSON line: { perSecond, onlineMs, rssMB }.
import { MqttClient } from 'mqtt'
import { BrokerThread, EmbeddedBroker } from '../dist/src/broker/index.js'
import { startFleet } from '../dist/src/index.js'

const [mode, n, seconds] = [process.argv[2], Number(process.argv[3]), Number(process.argv[4])]
const sleep = (ms) => new Promise((r) => setTimeout(r, ms))
// BENCH_BROKER_THREAD=no: aedes on this thread, as `fleet-emu run --no-broker-thread` (both sides).
const brokerThread = process.env.BENCH_BROKER_THREAD !== 'no'

async function bare() {
  const broker = brokerThread ? await BrokerThread.start({ port: 0 }) : await EmbeddedBroker.start({ port: 0 })
  let delivered = 0
  broker.onClientPublish(() => delivered++)
  const t0 = performance.now()
  const clients = []
  let online = 0
  for (let i = 0; i < n; i++) {
    const c = new MqttClient(() => broker.connect(), { clientId: `bare-${i}`, reconnectPeriod: 0, keepalive: 60, log: () => undefined })
    c.once('connect', () => online++)
    clients.push(c)
    if (i % 500 === 499) await sleep(0)
  }
  while (online < n) await sleep(10)
  const onlineMs = Math.round(performance.now() - t0)
  let running = true
  const payload = Buffer.from('{"ts":1767225600000,"seq":1,"temperature":45.12,"vibration":2.51}')
  for (const [i, c] of clients.entries()) {
    // On one thread an acknowledgement comes back in the same turn (duplex pairs deliver on
    // nextTick), so a loop of publishes would never let timers run: the next publish waits a turn.
    const next = brokerThread ? (f) => f() : setImmediate
    const loop = () => running && c.publish(`devices/bare-${i}/telemetry`, payload, { qos: 1 }, () => next(loop))
    loop()
  }
  await sleep(2000) // warm-up
  const start = delivered
  await sleep(seconds * 1000)
  const perSecond = (delivered - start) / seconds
  running = false
  const rssMB = process.memoryUsage().rss >> 20
  for (const c of clients) c.end(true)
  await broker.stop()
  return { perSecond, onlineMs, rssMB }
}

async function emulator() {
  const fleet = await startFleet(new URL('./fixtures/flood.fleet.yaml', import.meta.url).pathname, { devices: n, brokerPort: 0, metricsPort: false, links: 'memory', brokerThread, deviceWorkers: Number(process.env.BENCH_DEVICE_WORKERS ?? 0) })
  const t0 = performance.now()
  await fleet.waitFor((f) => f.count({ connectivity: 'online' }) === n, { timeoutMs: 120_000 })
  const onlineMs = Math.round(performance.now() - t0)
  const probe = fleet.measurements.probe
  await sleep(2000)
  const start = probe.counts.delivered + probe.counts.duplicates
  await sleep(seconds * 1000)
  const perSecond = (probe.counts.delivered + probe.counts.duplicates - start) / seconds
  const rssMB = process.memoryUsage().rss >> 20
  await fleet.stop()
  return { perSecond, onlineMs, rssMB }
}

const result = mode === 'bare' ? await bare() : await emulator()
console.log(JSON.stringify(result))
process.exit(0)
