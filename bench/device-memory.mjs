// Issue 6, acceptance 1 (memory ≤ 50 KB per device): what the device model adds to raw MQTT.js and
// aedes, measured side by side on the same broker setup (in-memory links; aedes in its own thread or not),
// one after the other in fresh processes so neither inherits the other's heap:
//   (a) raw: N MQTT.js clients doing a device's MQTT and nothing else — a will, a retained `online`
//       status, a command subscription, one QoS 1 JSON reading a second;
//   (b) fleet-emu: N soak-fleet devices (fleets/soak.fleet.yaml's profile: XState firmware and device
//       machines, sensors, offline buffer, delivery probe), the same MQTT.
// Each reports how long until all were online (both start their clients at the soak fleet's ramp
// rate, 5,000/s), and, once all are online and 20 s have passed, RSS every second for --seconds (median and
// lowest, per device), and this thread's live heap after a full collection (the devices' side; the
// broker thread is the same aedes in both).
//
//   npm run build && node bench/device-memory.mjs [--devices 10000] [--seconds 60] [--heap-growth 50]
//   node bench/device-memory.mjs --broker-thread no     # aedes on the devices' thread, in both (one heap, one core)
//   node bench/device-memory.mjs --wildcard-subscribe   # the raw clients subscribe to devices/{id}/commands/# (the retained index)
import { spawnSync } from 'node:child_process'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`)
  return i >= 0 ? process.argv[i + 1] : fallback
}
const devices = Number(arg('devices', '10000'))
const seconds = Number(arg('seconds', '60'))
const heapGrowth = arg('heap-growth', '')
const brokerThread = arg('broker-thread', 'yes') !== 'no'
/** The raw clients subscribe to `devices/{id}/commands/#` instead of the exact topic a soak device uses. */
const wildcardSubscribe = process.argv.includes('--wildcard-subscribe')
const sleep = (ms) => new Promise((r) => setTimeout(r, ms))
/** fleets/soak.fleet.yaml's `ramp: { rate }`: both sides start their clients at this pace. */
const RAMP_RATE = 5000

if (process.argv[2] === '--side') {
  const side = process.argv[3]
  if (heapGrowth) setFlagsFromString(`--heap-growing-percent=${heapGrowth}`)
  setFlagsFromString('--expose-gc')
  const gc = runInNewContext('gc')
  const result = side === 'raw' ? await raw(gc) : await emulator(gc)
  console.log(JSON.stringify(result))
  process.exit(0)
}

/** RSS each second for `seconds` after a 20-s warm-up, then the live heap after a full collection. */
async function measure(gc, onlineMs) {
  onlineMs = Math.round(onlineMs)
  await sleep(20_000)
  const rss = []
  for (let s = 0; s < seconds; s++) {
    await sleep(1000)
    rss.push(process.memoryUsage().rss)
  }
  rss.sort((a, b) => a - b)
  gc()
  return { onlineMs, rssMedian: rss[rss.length >> 1], rssMin: rss[0], rssMax: rss.at(-1), liveHeap: process.memoryUsage().heapUsed }
}

async function raw(gc) {
  const { MqttClient } = await import('mqtt')
  const { BrokerThread, EmbeddedBroker } = await import('../dist/src/broker/index.js')
  const broker = brokerThread ? await BrokerThread.start({ port: 0 }) : await EmbeddedBroker.start({ port: 0 })
  const started = performance.now()
  const clients = []
  let online = 0
  // One reading a second from each client, from when it is online, on a schedule it keeps: a tick
  // that comes late (the loop is busy in the ramp) sends what is due, as a device's sampler does. So
  // the raw ramp carries the same telemetry as the devices' ramp.
  const timer = setInterval(() => {
    const now = performance.now()
    for (const d of clients) {
      if (d.onlineAt === undefined) continue
      while (d.seq < Math.floor((now - d.onlineAt) / 1000)) {
        const payload = JSON.stringify({ ts: 1767225600000 + d.seq * 1000, seq: ++d.seq, temperature: 45.12, vibration: 2.51 })
        d.c.publish(`devices/${d.id}/telemetry`, payload, { qos: 1 })
      }
    }
  }, 100)
  for (let i = 0; i < devices; i++) {
    // Paced as the fleet ramps its devices on (fleet.ts rampOn): RAMP_RATE a second, in batches every
    // 10 ms, so the two ramps compare like with like (all at once, the first clients' CONNACKs queue
    // behind thousands of CONNECTs).
    while (i >= ((performance.now() - started) * RAMP_RATE) / 1000 + 1) await sleep(10)
    const id = `raw-${String(i).padStart(5, '0')}`
    const c = new MqttClient(() => broker.connect(), {
      clientId: id,
      clean: false,
      keepalive: 60,
      reconnectPeriod: 0,
      will: { topic: `devices/${id}/status`, payload: Buffer.from('offline'), qos: 1, retain: true },
      log: () => undefined,
    })
    const d = { c, id, seq: 0, onlineAt: undefined }
    c.once('connect', () => {
      online++
      d.onlineAt = performance.now()
      c.publish(`devices/${id}/status`, 'online', { qos: 1, retain: true })
      c.subscribe(wildcardSubscribe ? `devices/${id}/commands/#` : `devices/${id}/commands`, { qos: 1 })
    })
    clients.push(d)
  }
  while (online < devices) await sleep(1)
  const m = await measure(gc, performance.now() - started)
  clearInterval(timer)
  for (const { c } of clients) c.end(true)
  await broker.stop()
  return m
}

async function emulator(gc) {
  const { startFleet } = await import('../dist/src/index.js')
  const fleet = await startFleet(new URL('../fleets/soak.fleet.yaml', import.meta.url).pathname, { devices, brokerPort: 0, metricsPort: false, links: 'memory', brokerThread, deviceWorkers: 0 })
  await fleet.waitFor((f) => f.count({ connectivity: 'online' }) === devices, { timeoutMs: 120_000 })
  // From the run's start, as the report's all_online_after: making the devices comes before it.
  const m = await measure(gc, fleet.elapsedMs())
  await fleet.stop()
  return m
}

function run(side) {
  const r = spawnSync(process.execPath, [new URL(import.meta.url).pathname, '--side', side, ...process.argv.slice(2)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] })
  if (r.status !== 0) throw new Error(`${side} run failed (exit ${r.status})`)
  return JSON.parse(r.stdout.trim().split('\n').at(-1))
}

const kb = (bytes) => (bytes / devices / 1000).toFixed(1).padStart(5)
const mib = (bytes) => String(Math.round(bytes / 1048576)).padStart(5)
const rawSide = run('raw')
const emu = run('emulator')
console.log(`${devices} devices, RSS over ${seconds} s after all online + 20 s, ${heapGrowth ? `--heap-growth ${heapGrowth}` : "V8's heap factor"}, broker ${brokerThread ? 'in its thread' : "on the devices' thread"} (KB = 1,000 bytes)`)
console.log('                       RSS median        RSS lowest       devices-thread live heap   all online after (connects/s)')
for (const [name, r] of [['raw MQTT.js + aedes', rawSide], ['fleet-emu devices', emu]]) {
  const ramp = `${r.onlineMs.toLocaleString('en-US')} ms (${Math.round((devices * 1000) / r.onlineMs).toLocaleString('en-US')}/s)`
  console.log(`  ${name.padEnd(20)} ${mib(r.rssMedian)} MiB ${kb(r.rssMedian)} KB   ${mib(r.rssMin)} MiB ${kb(r.rssMin)} KB   ${mib(r.liveHeap)} MiB ${kb(r.liveHeap)} KB        ${ramp}`)
}
console.log(`  the device model adds ${kb(emu.rssMedian - rawSide.rssMedian)} KB/device of RSS (median), ${kb(emu.liveHeap - rawSide.liveHeap)} KB of live heap; target: total ≤ 50 KB/device`)
