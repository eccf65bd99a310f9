import { createHash } from 'node:crypto'
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { loadFleet, runDataset } from '../../../src/fleet/index.js'

const FLEET = 'test/fixtures/dataset/all-kinds.fleet.yaml'
const VALUE_KINDS = new Set(['telemetry.spike', 'telemetry.stuck', 'telemetry.drift', 'telemetry.offset', 'telemetry.gain', 'telemetry.noise', 'telemetry.dropout', 'telemetry.clipping', 'telemetry.nan', 'telemetry.unit-change', 'sensor-failure', 'cohort-shift'])

const tmp = () => mkdtempSync(join(tmpdir(), 'fleet-emu-dataset-'))
const sha = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex')

interface Row {
  ts: number
  device: string
  sensor: string
  value: string
  clean: string
  isAnomaly: boolean
  ids: string[]
  line: string
}

function readRows(dir: string): Row[] {
  const [, ...lines] = readFileSync(join(dir, 'telemetry/part-00000.csv'), 'utf8').trimEnd().split('\n')
  return lines.map((line) => {
    const c = line.split(',')
    return { ts: Date.parse(c[0]!), device: c[2]!, sensor: c[4]!, value: c[5]!, clean: c[6]!, isAnomaly: c[7] === 'true', ids: c[8] ? c[8].split(';') : [], line }
  })
}

const readJsonl = <T>(file: string): T[] => readFileSync(file, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as T)

async function dataset(seed: number, shard?: { index: number; count: number }) {
  const dir = tmp()
  const result = await runDataset(loadFleet(FLEET), { outDir: dir, seed, shard, format: 'csv' })
  return { dir, result }
}

describe('dataset mode (virtual time)', () => {
  it('same fleet file + seed ⇒ byte-identical folder; another seed ⇒ different', async () => {
    const a = await dataset(21)
    const b = await dataset(21)
    const c = await dataset(22)
    for (const f of ['manifest.json', 'telemetry/part-00000.csv', 'anomalies.jsonl', 'faults.jsonl']) expect(sha(join(b.dir, f)), f).toBe(sha(join(a.dir, f)))
    expect(sha(join(c.dir, 'telemetry/part-00000.csv'))).not.toBe(sha(join(a.dir, 'telemetry/part-00000.csv')))
    const manifest = JSON.parse(readFileSync(join(a.dir, 'manifest.json'), 'utf8')) as { status: string; files: { path: string; sha256: string; rows: number }[]; rows: number }
    expect(manifest.status).toBe('complete')
    for (const f of manifest.files) expect(sha(join(a.dir, f.path)), f.path).toBe(f.sha256)
    expect(manifest.rows).toBe(readRows(a.dir).length)
  })

  it('labels are exact: rows inside a fault window on its devices and sensors carry its id, rows outside do not', async () => {
    const { dir } = await dataset(21)
    const rows = readRows(dir)
    const records = readJsonl<{ fault_id: string; kind: string; device_id: string; start_ms: number; end_ms: number; params: { sensors?: string[] } }>(join(dir, 'faults.jsonl'))
    const anomalies = readJsonl<{ anomaly_id: string; type: string; devices: string[]; sensors: string[]; root_cause_id: string | null }>(join(dir, 'anomalies.jsonl'))
    // Every kind that can run without a broker is in the dataset, and the effects they cause.
    expect(new Set(anomalies.filter((a) => a.root_cause_id === null).map((a) => a.type)).size).toBe(31)
    const byDevice = new Map<string, Row[]>()
    for (const r of rows) (byDevice.get(r.device) ?? byDevice.set(r.device, []).get(r.device)!).push(r)
    // A fault has one record per device; an effect may have several (a flap's dropouts): its windows.
    const windows = new Map<string, typeof records>()
    for (const rec of records) (windows.get(`${rec.fault_id}\u0000${rec.device_id}`) ?? windows.set(`${rec.fault_id}\u0000${rec.device_id}`, []).get(`${rec.fault_id}\u0000${rec.device_id}`)!).push(rec)
    let inside = 0
    for (const recs of windows.values()) {
      const { fault_id: id, device_id: device, params } = recs[0]!
      for (const r of byDevice.get(device) ?? []) {
        if (params.sensors && !params.sensors.includes(r.sensor)) {
          expect(r.ids, r.line).not.toContain(id)
          continue
        }
        if (recs.some((rec) => r.ts > rec.start_ms && r.ts < rec.end_ms)) {
          expect(r.ids, `${id} ${r.line}`).toContain(id)
          inside++
        } else if (recs.every((rec) => r.ts < rec.start_ms || r.ts > rec.end_ms)) expect(r.ids, `${id} ${r.line}`).not.toContain(id)
      }
    }
    expect(inside).toBeGreaterThan(1000)
    // is_anomaly ⇔ some id; value differs from clean only where a value fault is active.
    const kindOf = new Map(records.map((r) => [r.fault_id, r.kind]))
    for (const r of rows) {
      expect(r.isAnomaly).toBe(r.ids.length > 0)
      if (r.value !== r.clean) expect(r.ids.some((id) => VALUE_KINDS.has(kindOf.get(id)!)), r.line).toBe(true)
    }
    // Every anomaly's devices/sensors are the ones its rows show.
    for (const a of anomalies) {
      const labelled = rows.filter((r) => r.ids.includes(a.anomaly_id))
      expect(new Set(labelled.map((r) => r.device)), a.anomaly_id).toEqual(new Set(a.devices.filter((d) => byDevice.has(d) && labelled.some((r) => r.device === d))))
      for (const r of labelled) expect(a.sensors).toContain(r.sensor)
    }
  })

  it('the union of 3 shards equals the single run, rows and labels', async () => {
    const whole = await dataset(21)
    const parts = await Promise.all([0, 1, 2].map((index) => dataset(21, { index, count: 3 })))
    const lines = (dir: string) => readRows(dir).map((r) => r.line)
    const union = parts.flatMap((p) => lines(p.dir)).sort()
    expect(union).toEqual(lines(whole.dir).sort())
    const devices = parts.map((p) => new Set(readRows(p.dir).map((r) => r.device)))
    expect(devices.reduce((n, s) => n + s.size, 0)).toBe(30)
    const faultIds = (dir: string) => readJsonl<{ fault_id: string; device_id: string }>(join(dir, 'faults.jsonl')).map((r) => `${r.fault_id}/${r.device_id}`)
    expect(parts.flatMap((p) => faultIds(p.dir)).sort()).toEqual(faultIds(whole.dir).sort())
  })
})

describe('dataset formats and extras', () => {
  it('the Parquet file, read by an independent reader (DuckDB), matches the CSV row for row', async () => {
    const { DuckDBInstance } = await import('@duckdb/node-api')
    const csvDir = tmp()
    const pqDir = tmp()
    await runDataset(loadFleet('test/fixtures/integration/virtual.fleet.yaml'), { outDir: csvDir, format: 'csv', durationMs: 120_000, exports: false, preview: false })
    const r = await runDataset(loadFleet('test/fixtures/integration/virtual.fleet.yaml'), { outDir: pqDir, format: 'parquet', durationMs: 120_000 })
    const db = await DuckDBInstance.create(':memory:')
    const con = await db.connect()
    try {
      const result = await con.runAndReadAll(
        `SELECT strftime(ts, '%Y-%m-%dT%H:%M:%S.%gZ') AS ts, strftime(ts_device, '%Y-%m-%dT%H:%M:%S.%gZ') AS ts_device, device_id, profile, sensor, value, value_clean, is_anomaly, anomaly_ids, seq, connectivity, battery, firmware_version
         FROM read_parquet('${join(pqDir, 'telemetry/part-00000.parquet')}', file_row_number = true) ORDER BY file_row_number`,
      )
      const fmt = (v: unknown) => (v === null ? '' : typeof v === 'number' && Number.isNaN(v) ? 'NaN' : String(v))
      const fromParquet = result.getRowObjectsJS().map((row) => Object.values(row).map(fmt).join(','))
      const fromCsv = readFileSync(join(csvDir, 'telemetry/part-00000.csv'), 'utf8').trimEnd().split('\n').slice(1)
      expect(fromParquet.length).toBe(r.rows)
      expect(fromParquet).toEqual(fromCsv)
    } finally {
      con.closeSync()
      db.closeSync()
    }
    // Exports and the preview are in the folder and in the manifest.
    const manifest = JSON.parse(readFileSync(join(pqDir, 'manifest.json'), 'utf8')) as { files: { path: string }[] }
    const paths = manifest.files.map((f) => f.path)
    expect(paths).toContain('preview.html')
    expect(paths).toContain('exports/nab/labels/combined_windows.json')
    expect(paths.some((p) => p.startsWith('exports/timeeval/'))).toBe(true)
    expect(readFileSync(join(pqDir, 'preview.html'), 'utf8')).toContain('<svg')
  })
})
