// Issue 6, acceptance 1 and 3: a soak run of the built CLI, summarised from its report.json.
//   npm run build && node bench/soak.mjs                                   # fleets/soak.fleet.yaml: 10,000 devices, 30 min
//   node bench/soak.mjs --duration 2m                                      # shorter (the faults at 10 and 20 min need ≥ 21 min)
//   node bench/soak.mjs --fleet fleets/soak.fleet.yaml --links memory --devices 10000
//   node bench/soak.mjs --duration 2m --workers 0 --heap-growth 50         # one heap (two cores): the least-memory setup
// Prints: connect ramp (devices / time until all were online), peak RSS and RSS per device, RSS
// growth after warm-up, latency percentiles, loss (explained or not), reconnect times, event-loop
// lag, CPU, the threshold verdicts and the CLI's exit code. Bounded: the run stops after its duration.
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`)
  return i >= 0 ? process.argv[i + 1] : fallback
}
const fleet = arg('fleet', 'fleets/soak.fleet.yaml')
const out = arg('out', mkdtempSync(join(tmpdir(), 'fleet-emu-soak-')))
const args = ['dist/src/cli/main.js', 'run', fleet, '--out', out, '--broker-port', '0', '--metrics-port', '0', '--no-progress', '--links', arg('links', 'memory')]
for (const flag of ['duration', 'devices', 'speed', 'seed', 'workers', 'heap-growth', 'heap-compaction']) if (arg(flag)) args.push(`--${flag}`, arg(flag))
if (process.argv.includes('--no-broker-thread')) args.push('--no-broker-thread')
const nodeFlags = (process.env.BENCH_NODE_FLAGS ?? '').split(' ').filter(Boolean)
console.log(`$ node ${[...nodeFlags, ...args].join(' ')}`)
const t0 = performance.now()
const r = spawnSync(process.execPath, [...nodeFlags, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 64 << 20 })
const wallS = (performance.now() - t0) / 1000
const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'))
const s = report.slis
const ms = (v) => (v === null ? 'n/a' : v < 10 ? `${v.toFixed(2)} ms` : `${Math.round(v).toLocaleString('en-US')} ms`)
const mb = (v) => (v === null ? 'n/a' : `${Math.round(v / 1048576)} MiB`)
const points = report.timeline.points
const steady = points.filter((p) => p.tMs >= (s.all_online_after ?? 0) + 10_000)
const median = (xs) => (xs.length ? [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] : null)
console.log(`report: ${join(out, 'report.html')}  (exit ${r.status}, ${wallS.toFixed(0)} s wall)`)
console.log(`devices                 ${report.run.devices.toLocaleString('en-US')} (${report.run.links} links, broker ${report.run.brokerUrl})`)
console.log(`connect ramp            all online after ${ms(s.all_online_after)} → ${s.all_online_after ? Math.round((report.run.devices * 1000) / s.all_online_after).toLocaleString('en-US') : 'n/a'} devices/s; connect p50 ${ms(s.connect_p50)}, p95 ${ms(s.connect_p95)}; success ${(100 * (s.connect_success_rate ?? 0)).toFixed(2)}%`)
console.log(`memory                  RSS peak ${mb(s.rss_peak)} = ${s.rss_per_device === null ? 'n/a' : (s.rss_per_device / 1024).toFixed(1)} KiB/device; heap peak ${mb(s.heap_peak)}; RSS growth after warm-up ${s.rss_growth === null ? 'n/a' : (100 * s.rss_growth).toFixed(1) + '%'}`)
console.log(`steady state (median)   RSS ${mb(median(steady.map((p) => p.rssBytes)))}, heap ${mb(median(steady.map((p) => p.heapUsedBytes)))}, ${Math.round(median(steady.map((p) => p.deliveredPerSec)) ?? 0)} msg/s delivered, event-loop lag p99 ${ms(median(steady.map((p) => p.eventLoopLagP99Ms)))}, CPU ${(100 * (median(steady.map((p) => p.cpu)) ?? 0)).toFixed(0)}% of all cores`)
console.log(`latency                 p50 ${ms(s.latency_p50)}, p95 ${ms(s.latency_p95)}, p99 ${ms(s.latency_p99)}, max ${ms(s.latency_max)}`)
console.log(`messages                ${s.messages_published} published, ${s.messages_delivered} delivered; lost ${s.loss} (${s.unexplained_loss} unexplained), duplicates ${s.duplicates} (${s.unexplained_duplicates} unexplained), reordered ${s.reordered}`)
console.log(`reconnects              ${s.reconnects}: p50 ${ms(s.reconnect_p50)}, p95 ${ms(s.reconnect_p95)}, max ${ms(s.reconnect_max)}; not back online ${s.not_reconnected}; online at end ${(100 * (s.online_at_end_rate ?? 0)).toFixed(2)}%`)
console.log(`faults                  ${report.faults.map((f) => `${f.faultId} (${f.kind}) ×${f.devices} at ${Math.round(f.startMs / 1000)} s`).join('; ') || 'none'}`)
console.log(`thresholds              ${report.verdict}: ${report.thresholds.map((t) => `${t.sli} ${t.pass ? 'ok' : 'FAIL'} (${t.detail})`).join('; ')}`)
