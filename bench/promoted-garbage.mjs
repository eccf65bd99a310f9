// Which allocation sites make the garbage that reaches the old generation (issue 6: RSS and GC pauses).
// Runs the soak fleet's devices on this thread (broker in its thread, memory links) and samples, with
// V8's sampling heap profiler, the allocations that were NOT collected by a scavenge: objects promoted
// to the old generation (and the few still live). In a steady state that is the promoted garbage that
// major collections have to clean, per allocation site (4 frames), in bytes per device per second.
//
// First it measures the old generation's inflow without the profiler (what RSS and major GCs follow).
//
//   npm run build && node bench/promoted-garbage.mjs [--devices 2000] [--warmup 15] [--seconds 15] [--top 25]
import { Session } from 'node:inspector/promises'
import { getHeapSpaceStatistics } from 'node:v8'
import { startFleet } from '../dist/src/index.js'

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`)
  return Number(i >= 0 ? process.argv[i + 1] : fallback)
}
const devices = arg('devices', 2000)
const warmupS = arg('warmup', 15)
const seconds = arg('seconds', 15)
const sleep = (s) => new Promise((resolve) => setTimeout(resolve, s * 1000))

const fleet = await startFleet('fleets/soak.fleet.yaml', { devices, brokerPort: 0, metricsPort: false, links: 'memory', brokerThread: true, deviceWorkers: 0 })
await sleep(warmupS) // past the connect ramp
// First the old generation's inflow, unprofiled: the growth of every space but the young one, summed
// between major collections (sampled every 20 ms). Unlike the profile below it also counts objects V8
// allocated straight into the old generation (allocation-site pretenuring).
const oldBytes = () => getHeapSpaceStatistics().reduce((sum, s) => (s.space_name.startsWith('new') ? sum : sum + s.space_used_size), 0)
let lastOld = oldBytes()
let inflow = 0
const sampler = setInterval(() => {
  const v = oldBytes()
  if (v > lastOld) inflow += v - lastOld
  lastOld = v
}, 20)
await sleep(seconds)
clearInterval(sampler)
console.log(`${devices} devices, ${seconds} s after ${warmupS} s: old-generation inflow ${Math.round(inflow / devices / seconds)} bytes/device/s (devices' thread, unprofiled)`)
const session = new Session()
session.connect()
await session.post('HeapProfiler.enable')
await session.post('HeapProfiler.startSampling', { samplingInterval: 4096, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: false })
await sleep(seconds)
const { profile } = await session.post('HeapProfiler.stopSampling')
await fleet.stop()

const bySite = new Map()
let total = 0
const walk = (node, stack) => {
  const f = node.callFrame
  const frames = [`${f.functionName || '(anonymous)'} ${f.url.split('/').slice(-2).join('/')}:${f.lineNumber + 1}`, ...stack].slice(0, 4)
  if (node.selfSize > 0) {
    const site = frames.join(' < ')
    bySite.set(site, (bySite.get(site) ?? 0) + node.selfSize)
    total += node.selfSize
  }
  for (const child of node.children) walk(child, frames)
}
walk(profile.head, [])
const perDeviceSec = (bytes) => Math.round(bytes / devices / seconds)
console.log(`then, profiled for ${seconds} s: ${perDeviceSec(total)} bytes/device/s survived scavenges, by allocation site:`)
for (const [site, bytes] of [...bySite].sort((a, b) => b[1] - a[1]).slice(0, arg('top', 25))) console.log(String(perDeviceSec(bytes)).padStart(6), site)
process.exit(0)
