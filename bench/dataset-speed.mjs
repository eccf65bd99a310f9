// Dataset speed (issue 5, acceptance 5), side by side in one run:
//   (a) a bare loop, one core: the same seeded random draws and the same 13-column CSV rows, written
//       in 1 MB chunks as it goes — what a tight loop that only draws and formats can do;
//   (b) `fleet-emu dataset fleets/anomaly-week.fleet.yaml --format csv --no-exports --no-preview`,
//       one worker (one core), over --days (default 1) of the 7-day fleet: the same rows as (a), made by
//       the real engine (devices, firmware machines, faults, labels);
//   (c) the same with the default outputs (Parquet, NAB/TimeEval exports, preview), for reference;
//   ratio = (b) / (a): the target is ≥ 0.5. (a) and (b) alternate --repeat times (default 3); the
//   ratio is the best (b) over the best (a), each pair's own ratio listed beside it.
// With --full, also (d): the whole week (1,000 devices × 7 days ≈ 10M rows) with the default outputs
// and --workers 2 (or --workers N): wall time of the command and peak RSS, sampled every 250 ms.
//
//   npm run build && node bench/dataset-speed.mjs [--days 1] [--repeat 3] [--full] [--workers 2]
import { spawn } from 'node:child_process'
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import seedrandom from 'seedrandom'

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`)
  return i >= 0 ? process.argv[i + 1] : fallback
}
const days = Number(arg('days', '1'))
const full = process.argv.includes('--full')
const workers = Number(arg('workers', '2'))
const repeat = Number(arg('repeat', '3'))

// (a) the bare loop: the same seeded draws (signal noise, sample jitter) and the same 13 CSV columns,
// with ISO timestamps formatted the fast way (date part cached per day), written in 1 MB chunks.
function bareLoop(rows) {
  const rng = seedrandom.alea('bench')
  const dir = mkdtempSync(join(tmpdir(), 'fleet-emu-bare-'))
  const fd = openSync(join(dir, 'rows.csv'), 'w')
  const start = Date.UTC(2026, 2, 2)
  const t0 = performance.now()
  let chunk = 'ts,ts_device,device_id,profile,sensor,value,value_clean,is_anomaly,anomaly_ids,seq,connectivity,battery,firmware_version\n'
  let day = -1
  let prefix = ''
  const p2 = (n) => (n < 10 ? '0' + n : '' + n)
  const p3 = (n) => (n < 10 ? '00' + n : n < 100 ? '0' + n : '' + n)
  for (let i = 0; i < rows; i++) {
    const ms = start + i * 60
    const d = Math.floor(ms / 86_400_000)
    if (d !== day) {
      day = d
      prefix = new Date(d * 86_400_000).toISOString().slice(0, 11)
    }
    const r = ms - d * 86_400_000
    const ts = `${prefix}${p2(Math.floor(r / 3_600_000))}:${p2(Math.floor(r / 60_000) % 60)}:${p2(Math.floor(r / 1000) % 60)}.${p3(r % 1000)}Z`
    const v = Math.round((21 + 2 * Math.sin(i / 1000) + 0.05 * (rng() - 0.5) + rng() * 0) * 100) / 100
    chunk += `${ts},${ts},n-${String(i % 1000).padStart(4, '0')},room-sensor,temperature,${v},${v},false,,${(i / 1000) | 0},online,93.1,2.1.0\n`
    if (chunk.length > 1 << 20) {
      writeSync(fd, chunk)
      chunk = ''
    }
  }
  writeSync(fd, chunk)
  closeSync(fd)
  const ms = performance.now() - t0
  rmSync(dir, { recursive: true, force: true })
  return { rows, ms: Math.round(ms), rowsPerSec: Math.round((rows * 1000) / ms) }
}

/** The process's resident set, MB (Linux), or undefined once it has exited. */
function rssMb(pid) {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
    return m ? Math.round(Number(m[1]) / 1024) : undefined
  } catch {
    return undefined
  }
}

/** CPU seconds (user + system, all threads) the process has used so far (Linux), or undefined. */
function cpuSec(pid) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ')
    return (Number(fields[11]) + Number(fields[12])) / 100 // utime, stime in clock ticks (USER_HZ = 100)
  } catch {
    return undefined
  }
}

/** Runs `fleet-emu dataset` (the built CLI) and times it: inside the run (wallMs) and as a command. */
function dataset(args) {
  const dir = mkdtempSync(join(tmpdir(), 'fleet-emu-ds-'))
  const out = join(dir, 'out')
  const t0 = performance.now()
  const child = spawn(process.execPath, ['dist/src/cli/main.js', 'dataset', 'fleets/anomaly-week.fleet.yaml', '--out', out, '--json', '--no-progress', ...args], { stdio: ['ignore', 'pipe', 'inherit'] })
  let json = ''
  child.stdout.on('data', (d) => (json += d))
  const rss = []
  let cpu = 0
  const load = loadavg()[0]
  const sampler = setInterval(() => {
    const mb = rssMb(child.pid)
    if (mb !== undefined) rss.push(mb)
    cpu = cpuSec(child.pid) ?? cpu
  }, 250)
  return new Promise((resolve, reject) => {
    child.on('close', (code) => {
      clearInterval(sampler)
      const commandMs = performance.now() - t0
      rmSync(dir, { recursive: true, force: true })
      if (code !== 0) return reject(new Error(`fleet-emu dataset ${args.join(' ')} exited ${code}`))
      const r = JSON.parse(json)
      // RSS at each quarter of the run: flat memory shows as a plateau, not a ramp.
      const quarters = [0.25, 0.5, 0.75, 1].map((q) => rss[Math.max(0, Math.ceil(q * rss.length) - 1)])
      resolve({
        args: args.join(' '),
        rows: r.rows,
        workers: r.workers,
        ms: Math.round(r.wallMs),
        commandMs: Math.round(commandMs),
        rowsPerSec: Math.round((r.rows * 1000) / r.wallMs),
        // CPU used (last sample, ≤ 250 ms before the end) and the machine's load around the run: on a
        // shared machine, a load above the number of cores means the run did not have its cores to itself.
        cpuSec: Math.round(cpu * 10) / 10,
        loadAvg1m: [Math.round(load * 100) / 100, Math.round(loadavg()[0] * 100) / 100],
        peakRssMb: Math.max(...rss),
        rssByQuarterMb: quarters,
      })
    })
    child.on('error', reject)
  })
}

// (a) and (b) take turns `repeat` times: on a shared machine a single run of either can be slowed by
// its neighbours by a third. The ratio is best against best (each side's least disturbed run), and
// every pair's own ratio is kept beside it.
const pairs = []
for (let i = 0; i < repeat; i++) {
  const bare = { ...bareLoop(2_000_000), loadAvg1m: Math.round(loadavg()[0] * 100) / 100 }
  const csv = await dataset(['--duration', `${days}d`, '--format', 'csv', '--no-exports', '--no-preview'])
  pairs.push({ bare, csv, ratio: Math.round((100 * csv.rowsPerSec) / bare.rowsPerSec) / 100 })
}
const best = (list) => list.reduce((a, b) => (b.rowsPerSec > a.rowsPerSec ? b : a))
const bare = best(pairs.map((p) => p.bare))
const csv = best(pairs.map((p) => p.csv))
const result = {
  bareLoop: bare,
  datasetCsv1Worker: csv,
  ratio: Math.round((100 * csv.rowsPerSec) / bare.rowsPerSec) / 100,
  runs: pairs.map((p) => ({ bareRowsPerSec: p.bare.rowsPerSec, datasetRowsPerSec: p.csv.rowsPerSec, ratio: p.ratio })),
}
result.datasetDefault1Worker = await dataset(['--duration', `${days}d`])
if (full) result.fullWeek = await dataset(['--workers', String(workers)])
console.log(JSON.stringify(result, null, 2))
