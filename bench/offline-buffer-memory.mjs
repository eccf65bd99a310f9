// Heap bytes per message held in a device's offline buffer (what a fleet holds through an outage):
// messages kept as objects (message, fields, sample: Sparkplug's, or before payloads were kept) against
// generic JSON messages kept as their payload. Build first: npm run build && node bench/offline-buffer-memory.mjs
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { OfflineBuffer } from '../dist/src/device/offline-buffer.js'
import { encodeJson } from '../dist/src/telemetry/index.js'

setFlagsFromString('--expose-gc')
const gc = runInNewContext('gc')
const DEVICES = 2_000
const PER_DEVICE = 100

// A message as a device buffers it: a copy of the sample (values = clean) and the message around it.
const message = (i) => {
  const clean = { temperature: 45 + (i % 1000) / 97, vibration: 2.5 + (i % 333) / 71 }
  const sample = { ts: 1_733_480_000_000 + i * 1000, tRelMs: i * 1000, values: clean, clean, faultIds: {} }
  return { topic: 'devices/vx-00001/telemetry', qos: 1, fields: { ts: sample.ts, seq: i, values: clean, battery: undefined }, faultIds: [], sample }
}

const bytesPerMessage = (encoder) => {
  gc()
  gc()
  const before = process.memoryUsage().heapUsed
  const buffers = []
  for (let d = 0; d < DEVICES; d++) {
    const b = new OfflineBuffer(600, encoder)
    for (let k = 0; k < PER_DEVICE; k++) b.push(message(d * PER_DEVICE + k))
    buffers.push(b)
  }
  gc()
  gc()
  const perMessage = (process.memoryUsage().heapUsed - before) / (DEVICES * PER_DEVICE)
  if (buffers.length !== DEVICES) throw new Error('unreachable')
  return Math.round(perMessage)
}

console.log(`${(DEVICES * PER_DEVICE).toLocaleString('en-US')} buffered messages (${DEVICES} devices × ${PER_DEVICE})`)
console.log(`kept as objects        ${bytesPerMessage({ payloadForLater: () => undefined })} B/message`)
console.log(`kept as their payload  ${bytesPerMessage({ payloadForLater: (m) => encodeJson(m.fields) })} B/message`)
