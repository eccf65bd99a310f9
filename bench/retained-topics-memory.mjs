// Heap a retained topic costs in the embedded broker's index (src/broker/retained-topics.ts), against
// a flat Map of topics (aedes' own store, which answers a wildcard SUBSCRIBE only by a scan):
//   npm run build && node --expose-gc bench/retained-topics-memory.mjs [--topics 100000]
// The topics are a fleet's: devices/vx-NNNNN/status, one retained status a device. 100,000 of them by
// default: at 10,000 the heap's own noise moves the figure by ±30 bytes from run to run.
import { RetainedTopics } from '../dist/src/broker/retained-topics.js'

const i = process.argv.indexOf('--topics')
const n = i >= 0 ? Number(process.argv[i + 1]) : 100_000
if (typeof globalThis.gc !== 'function') throw new Error('run with node --expose-gc')
const used = () => {
  globalThis.gc()
  globalThis.gc()
  return process.memoryUsage().heapUsed
}
const topics = Array.from({ length: n }, (_, k) => `devices/vx-${String(k).padStart(5, '0')}/status`)
const packets = topics.map((topic) => ({ topic }))

let before = used()
const flat = new Map()
for (let k = 0; k < n; k++) flat.set(topics[k], packets[k])
const flatBytes = used() - before

before = used()
const tree = new RetainedTopics()
for (let k = 0; k < n; k++) tree.set(topics[k], packets[k])
const treeBytes = used() - before

console.log(`${n.toLocaleString('en-US')} retained topics (${flat.size} / ${tree.size}): flat Map ${(flatBytes / n).toFixed(0)} B a topic, RetainedTopics ${(treeBytes / n).toFixed(0)} B a topic`)
