// Acceptance check for the quickstart, measured: runs `fleet-emu run fleets/quickstart.fleet.yaml`
// (the built CLI, as `npm start` does) on a free port with Debian's mosquitto_sub watching
// devices/+/telemetry, and reports time to all-online, device ids seen by the external subscriber,
// message rate and the CLI process's peak RSS. Bounded: the run stops itself after its duration.
//
//   npm run build && node bench/quickstart.mjs [--duration 60s] [--devices 1000]
import { spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`)
  return i >= 0 ? process.argv[i + 1] : fallback
}
const duration = arg('duration', '60s')
const devices = arg('devices', '1000')

const freePort = () =>
  new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address()
      s.close(() => resolve(port))
    })
  })

const port = await freePort()
const out = mkdtempSync(join(tmpdir(), 'fleet-emu-bench-'))
const run = spawn(process.execPath, ['dist/src/cli/main.js', 'run', 'fleets/quickstart.fleet.yaml', '--broker-port', String(port), '--no-metrics', '--duration', duration, '--devices', devices, '--out', out, '--json', '--no-progress'], { stdio: ['ignore', 'pipe', 'pipe'] })
let stdout = ''
run.stdout.on('data', (d) => (stdout += d))
let stderr = ''
run.stderr.on('data', (d) => (stderr += d))

// Peak RSS of the CLI process, sampled from /proc every 250 ms.
let peakRssKb = 0
const rssTimer = setInterval(() => {
  try {
    const m = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${run.pid}/status`, 'utf8'))
    if (m) peakRssKb = Math.max(peakRssKb, Number(m[1]))
  } catch {
    // The process has exited between two samples: keep the peak seen so far.
  }
}, 250)

// Start the external subscriber once the broker listens.
while (!/fleet-emu: quickstart/.test(stderr)) await new Promise((r) => setTimeout(r, 20))
const ids = new Set()
let lines = 0
const sub = spawn('mosquitto_sub', ['-h', '127.0.0.1', '-p', String(port), '-t', 'devices/+/telemetry', '-v'], { stdio: ['ignore', 'pipe', 'inherit'] })
let buf = ''
sub.stdout.on('data', (d) => {
  buf += d
  const parts = buf.split('\n')
  buf = parts.pop()
  for (const l of parts) {
    lines++
    ids.add(l.split('/')[1])
  }
})

const code = await new Promise((r) => run.on('close', r))
clearInterval(rssTimer)
sub.kill()
const summary = JSON.parse(stdout)
const result = {
  devices: summary.devices,
  exitCode: code,
  allOnlineAfterMs: summary.allOnlineAfterMs,
  idsSeenByMosquittoSub: ids.size,
  messagesSeenByMosquittoSub: lines,
  messagesPublished: summary.messages.published,
  messagesPerSecond: summary.messages.perSecond,
  connectSuccessRate: summary.connects.successRate,
  peakRssMb: Math.round(peakRssKb / 1024),
  rssPerDeviceKb: Math.round(peakRssKb / summary.devices),
}
console.log(JSON.stringify(result, null, 2))
process.exit(code === 0 && ids.size === summary.devices ? 0 : 1)
