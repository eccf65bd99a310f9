import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { loadFleet, runDataset } from '../../../src/fleet/index.js'
import { mergeDatasetShards } from '../../../src/outputs/index.js'
import { allKindsDataset as dataset, readJsonl, readRows, sha, tmp } from './dataset-helpers.js'

// Labels (every anomaly type, exact windows, root causes) are in dataset-labels.test.ts.
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

  it('the union of 3 shards equals the single run, rows and labels', async () => {
    const whole = await dataset(21)
    const parts = await Promise.all([0, 1, 2].map((index) => dataset(21, { index, count: 3 })))
    const lines = (dir: string) => readRows(dir).map((r) => r.line)
    const union = parts.flatMap((p) => lines(p.dir)).sort()
    expect(union).toEqual(lines(whole.dir).sort())
    const devices = parts.map((p) => new Set(readRows(p.dir).map((r) => r.device)))
    expect(devices.reduce((n, s) => n + s.size, 0)).toBe(34)
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

describe('dataset merge', () => {
  it('over 3 shards: anomalies.jsonl and faults.jsonl equal the single run byte for byte; the manifest lists every shard file', async () => {
    const whole = await dataset(21)
    const parts = await Promise.all([2, 0, 1].map((index) => dataset(21, { index, count: 3 })))
    const out = join(tmp(), 'merged')
    const r = await mergeDatasetShards(parts.map((p) => p.dir), out)
    expect(r).toMatchObject({ status: 'complete', shards: 3, devices: 34 })
    expect(sha(join(out, 'anomalies.jsonl'))).toBe(sha(join(whole.dir, 'anomalies.jsonl')))
    expect(sha(join(out, 'faults.jsonl'))).toBe(sha(join(whole.dir, 'faults.jsonl')))
    const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as { rows: number; anomalies: number; files: { path: string; sha256: string }[]; mergedFrom: { shard: string }[] }
    const single = JSON.parse(readFileSync(join(whole.dir, 'manifest.json'), 'utf8')) as { rows: number; anomalies: number }
    expect(manifest.rows).toBe(single.rows)
    expect(manifest.anomalies).toBe(single.anomalies)
    expect(manifest.mergedFrom.map((s) => s.shard)).toEqual(['0/3', '1/3', '2/3'])
    for (const f of manifest.files) expect(sha(join(out, f.path)), f.path).toBe(f.sha256)
    expect(manifest.files.filter((f) => f.path.includes('/telemetry/')).length).toBeGreaterThanOrEqual(3)
  })

  it('reports every problem at once: a missing shard, a shard of another seed, a changed file', async () => {
    const a = await dataset(21, { index: 0, count: 3 })
    const b = await dataset(22, { index: 1, count: 3 })
    await expect(mergeDatasetShards([a.dir, b.dir], join(tmp(), 'm'))).rejects.toThrow(/seed is 22, but 21[\s\S]*missing shard 2\/3/)
    const c = await dataset(21, { index: 1, count: 3 })
    const d = await dataset(21, { index: 2, count: 3 })
    writeFileSync(join(d.dir, 'anomalies.jsonl'), '\n', { flag: 'a' })
    await expect(mergeDatasetShards([a.dir, c.dir, d.dir], join(tmp(), 'm'))).rejects.toThrow(/anomalies.jsonl: sha256 differs/)
    expect(await mergeDatasetShards([a.dir, c.dir, d.dir], join(tmp(), 'm'), { verify: false })).toMatchObject({ shards: 3 })
    writeFileSync(join(d.dir, 'anomalies.jsonl'), '{"anomaly_id":\n', { flag: 'a' })
    await expect(mergeDatasetShards([a.dir, c.dir, d.dir], join(tmp(), 'm2'), { verify: false })).rejects.toThrow(/anomalies.jsonl:\d+: not a JSON line/)
  })
})
