// Dataset speed, side by side with the bare loop it is measured against (issue 5, acceptance 5):
//   (a) a bare loop that draws the same seeded random numbers and formats the same CSV rows;
//   (b) `fleet-emu dataset` on fleets/anomaly-week.fleet.yaml (1,000 room sensors, 1 sample/min).
// Both on one core, in one run. Bounded: (b) simulates --days (default 1) of the 7-day fleet.
//
//   npm run build && node bench/dataset-speed.mjs [--days 1] [--full]
// --full also times the whole 7-day dataset (≈10M rows) and reports its wall time.
import { execFileSync } from 'node:child_process'
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import seedrandom from 'seedrandom'

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`)
  return i >= 0 ? process.argv[i + 1] : fallback
}
const days = Number(arg('days', '1'))
const full = process.argv.includes('--full')

// (a) the bare loop: the same seeded draws (signal noise, sample jitter) and the same 13 CSV columns,
// with ISO timestamps formatted the fast way (date part cached per day), as a tight loop can.
function bareLoop(rows) {
  const rng = seedrandom.alea('bench')
  const file = join(mkdtempSync(join(tmpdir(), 'fleet-emu-bare-')), 'rows.csv')
  const start = Date.UTC(2026, 2, 2)
  const t0 = performance.now()
  let chunk = 'ts,ts_device,device_id,profile,sensor,value,value_clean,is_anomaly,anomaly_ids,seq,connectivity,battery,firmware_version\n'
  const parts = []
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
      parts.push(chunk)
      chunk = ''
    }
  }
  parts.push(chunk)
  writeFileSync(file, parts.join(''))
  const ms = performance.now() - t0
  rmSync(file)
  return { rows, ms, rowsPerSec: Math.round((rows * 1000) / ms) }
}

function dataset(duration) {
  const out = join(mkdtempSync(join(tmpdir(), 'fleet-emu-ds-')), 'out')
  const t0 = performance.now()
  const json = execFileSync(process.execPath, ['dist/src/cli/main.js', 'dataset', 'fleets/anomaly-week.fleet.yaml', '--out', out, '--duration', duration, '--json', '--no-progress'], { encoding: 'utf8', maxBuffer: 1 << 26 })
  const processMs = performance.now() - t0
  const r = JSON.parse(json)
  rmSync(out, { recursive: true, force: true })
  return { rows: r.rows, ms: Math.round(r.wallMs), processMs: Math.round(processMs), rowsPerSec: Math.round((r.rows * 1000) / r.wallMs) }
}

const bare = bareLoop(2_000_000)
const ds = dataset(`${days}d`)
const result = { bareLoop: bare, dataset: ds, ratio: Math.round((100 * ds.rowsPerSec) / bare.rowsPerSec) / 100 }
if (full) result.full7d = dataset('7d')
console.log(JSON.stringify(result, null, 2))
