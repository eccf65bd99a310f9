// Where a run's CPU goes by thread: samples every thread of a command's process (Linux /proc) and
// prints each one's share of a core per interval — the main thread, device workers, a broker thread,
// and V8's GC helpers (their names are all "node"; the first to work is the main thread).
//   npm run build && node bench/thread-cpu.mjs --seconds 10 -- node dist/src/cli/main.js run fleets/soak.fleet.yaml \
//     --links memory --duration 20s --broker-port 0 --metrics-port 0 --no-progress --out /tmp/tc
// Bounded: sampling stops after --seconds (default 10); the command runs to its own end.
import { spawn } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'

const sep = process.argv.indexOf('--')
if (sep < 0 || sep === process.argv.length - 1) {
  console.error('usage: node bench/thread-cpu.mjs [--seconds N] [--every MS] -- <command…>')
  process.exit(2)
}
const opt = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`)
  return i >= 0 && i < sep ? Number(process.argv[i + 1]) : fallback
}
const seconds = opt('seconds', 10)
const everyMs = opt('every', 500)
const ticksPerSec = 100 // USER_HZ on Linux

const child = spawn(process.argv[sep + 1], process.argv.slice(sep + 2), { stdio: ['ignore', 'inherit', 'inherit'] })
const last = new Map()
const t0 = performance.now()
let previousAt = t0

function sample() {
  const now = performance.now()
  const wallTicks = ((now - previousAt) / 1000) * ticksPerSec
  previousAt = now
  const shares = []
  let tids
  try {
    tids = readdirSync(`/proc/${child.pid}/task`)
  } catch {
    return // the process has ended
  }
  for (const tid of tids) {
    let stat
    try {
      stat = readFileSync(`/proc/${child.pid}/task/${tid}/stat`, 'utf8')
    } catch {
      continue // the thread ended between the listing and the read
    }
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    const ticks = Number(fields[11]) + Number(fields[12]) // utime + stime
    const before = last.get(tid)
    last.set(tid, ticks)
    if (before !== undefined && ticks > before) shares.push(`${tid}:${Math.round((100 * (ticks - before)) / wallTicks)}%`)
  }
  const total = shares.reduce((sum, s) => sum + Number(s.slice(s.indexOf(':') + 1, -1)), 0)
  console.error(`[${((now - t0) / 1000).toFixed(1).padStart(5)} s] total ${String(total).padStart(3)}%  ${shares.join(' ')}`)
}

const timer = setInterval(sample, everyMs)
setTimeout(() => clearInterval(timer), seconds * 1000)
child.on('exit', (code) => {
  clearInterval(timer)
  process.exit(code ?? 0)
})
