// Where the connect ramp's allocations come from (issue 6, acceptance 1: the ramp is bound by the devices'
// thread, and a quarter of that thread is garbage collection). All allocations from startFleet until
// every device is online, by package and by site (V8's sampling heap profiler, collected objects
// included), per device. The soak fleet's devices on this thread, the broker in its own.
//
//   npm run build && node bench/ramp-allocations.mjs [devices (10000)] [frames per site (3)]
import { Session } from 'node:inspector/promises'
import { startFleet } from '../dist/src/index.js'
const devices = Number(process.argv[2] ?? 10000)
const session = new Session(); session.connect()
await session.post('HeapProfiler.enable')
await session.post('HeapProfiler.startSampling', { samplingInterval: 16384, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true })
const t0 = performance.now()
const fleet = await startFleet(new URL('../fleets/soak.fleet.yaml', import.meta.url).pathname, { devices, brokerPort: 0, metricsPort: false, links: 'memory', brokerThread: true, deviceWorkers: 0 })
await fleet.waitFor((f) => f.count({ connectivity: 'online' }) === devices, { timeoutMs: 60000 })
const onlineS = (performance.now() - t0) / 1000
const { profile } = await session.post('HeapProfiler.stopSampling')
await fleet.stop()
const bySite = new Map(), byPkg = new Map(); let total = 0
const depth = Number(process.argv[3] ?? 3)
const walk = (node, stack) => {
  const f = node.callFrame
  const fr = `${f.functionName || '(anon)'} ${f.url.split('/').slice(-2).join('/')}:${f.lineNumber + 1}`
  const frames = [fr, ...stack].slice(0, depth)
  if (node.selfSize > 0) {
    const k = frames.join(' < '); bySite.set(k, (bySite.get(k) ?? 0) + node.selfSize); total += node.selfSize
    const pkg = f.url.includes('node_modules') ? f.url.split('node_modules/')[1].split('/')[0] : f.url.includes('/dist/src/') ? 'fleet-emu:' + f.url.split('/dist/src/')[1].split('/').slice(0,2).join('/') : f.url.startsWith('node:') ? 'node:' + f.url.slice(5) : '(other)'
    byPkg.set(pkg, (byPkg.get(pkg) ?? 0) + node.selfSize)
  }
  for (const c of node.children) walk(c, frames)
}
walk(profile.head, [])
console.log(`${devices} devices online ${onlineS.toFixed(1)} s after startFleet (profiled: slower than unprofiled); ${(total / devices / 1024).toFixed(1)} KB allocated per device, by package (bytes/device):`)
for (const [k, v] of [...byPkg].sort((a, b) => b[1] - a[1]).slice(0, 14)) console.log(String(Math.round(v / devices)).padStart(7), k)
console.log('by site (bytes/device):')
for (const [k, v] of [...bySite].sort((a, b) => b[1] - a[1]).slice(0, 30)) console.log(String(Math.round(v / devices)).padStart(7), k)
process.exit(0)
