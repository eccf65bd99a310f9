// Issue 6, acceptance 2: at 10,000 devices, the emulator's delivered messages/s against a bare
// MQTT.js publisher loop on the same broker setup (the embedded aedes in its own thread, in-memory
// links), side by side in one run, one after the other in fresh worker processes so neither inherits
// the other's heap:
//   (a) bare: 10,000 MQTT.js clients, each publishing QoS 1 in a closed loop (the next publish when
//       the previous one is acknowledged) — the most the broker setup delivers with no device model;
//   (b) emulator: 10,000 full devices (XState firmware + device machines, sensors, JSON payloads,
//       delivery probe) offered 20 messages/s each (200k/s, more than the machine can carry).
// Delivered = messages the broker routed, counted inside the broker thread, over the same window.
//
//   npm run build && node bench/soak-throughput.mjs [--devices 10000] [--seconds 20]
//   BENCH_DEVICE_WORKERS=2 node bench/soak-throughput.mjs     # (b) with the devices in two worker threads
//   BENCH_BROKER_THREAD=no node bench/soak-throughput.mjs      # aedes on the devices' thread, both sides
import { spawnSync } from 'node:child_process'

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`)
  return i >= 0 ? process.argv[i + 1] : fallback
}
const devices = Number(arg('devices', '10000'))
const seconds = Number(arg('seconds', '20'))

function run(mode) {
  const r = spawnSync(process.execPath, [...(process.env.BENCH_NODE_FLAGS ?? '').split(' ').filter(Boolean), new URL('./soak-throughput-worker.mjs', import.meta.url).pathname, mode, String(devices), String(seconds)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] })
  if (r.status !== 0) throw new Error(`${mode} run failed (exit ${r.status})`)
  return JSON.parse(r.stdout.trim().split('\n').at(-1))
}

const bare = run('bare')
const emu = run('emulator')
console.log(`devices ${devices}, window ${seconds} s after all were online`)
console.log(`  bare MQTT.js publisher loop   ${bare.perSecond.toFixed(0).padStart(7)} msg/s delivered  (online after ${bare.onlineMs} ms, RSS ${bare.rssMB} MB)`)
console.log(`  fleet-emu devices             ${emu.perSecond.toFixed(0).padStart(7)} msg/s delivered  (online after ${emu.onlineMs} ms, RSS ${emu.rssMB} MB)`)
console.log(`  ratio                         ${(emu.perSecond / bare.perSecond).toFixed(2)}  (target ≥ 0.8)`)
