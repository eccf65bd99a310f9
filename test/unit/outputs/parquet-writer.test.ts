import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { PARQUET_CREATED_BY, createParquetWriter } from '../../../src/outputs/dataset/parquet-writer.js'
import { TELEMETRY_COLUMNS, type TelemetryRow } from '../../../src/outputs/dataset/row.js'

// The reader is DuckDB (C++), not the writer's library family (hyparquet): acceptance 3 of issue 5.

const T0 = Date.UTC(2026, 0, 5, 0, 0, 0)
const DEVICES = ['thermo-0001', 'thermo-0002', 'gateway-ü-03', '温度计-04', 'pump-😀-05', 'a,"quoted"\nid']
const SENSORS = ['temperature', 'humidity', 'pressure']

/** Row i of a deterministic data set: nulls, NaN, empty and multi-id anomaly lists, unicode ids. */
function row(i: number): TelemetryRow {
  const device = DEVICES[i % DEVICES.length]!
  const sensor = SENSORS[Math.floor(i / DEVICES.length) % SENSORS.length]!
  const sample = Math.floor(i / (DEVICES.length * SENSORS.length))
  const clean = 20 + Math.sin(i / 50) * 5 + (i % 7) / 1000
  const anomalous = i % 101 < 3
  return {
    ts: T0 + sample * 60_000,
    ts_device: T0 + sample * 60_000 + (i % 11 === 0 ? -1500 : 0),
    device_id: device,
    profile: i % 2 ? 'thermo' : 'gateway',
    sensor,
    value: i % 97 === 0 ? null : i % 89 === 0 ? Number.NaN : anomalous ? clean * 1.5 : clean,
    value_clean: clean,
    is_anomaly: anomalous,
    anomaly_ids: anomalous ? (i % 2 ? 'a-0007' : 'a-0003;a-0012') : '',
    seq: sample + 2 ** 33 * (i % 3 === 0 ? 1 : 0),
    connectivity: i % 13 === 0 ? 'offline' : 'online',
    battery: device.startsWith('gateway') ? null : Math.round((100 - sample / 1000) * 10) / 10,
    firmware_version: sample > 10_000 ? '1.3.0' : '1.2.9',
  }
}

let dir: string
let db: DuckDBInstance
let con: DuckDBConnection

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'fleet-emu-parquet-'))
  db = await DuckDBInstance.create(':memory:')
  con = await db.connect()
})

afterAll(() => {
  con?.closeSync()
  db?.closeSync()
  rmSync(dir, { recursive: true, force: true })
})

async function writeRows(file: string, n: number, rowGroupSize: number): Promise<{ rows: number; maxBuffered: number; groups: number }> {
  const w = createParquetWriter(file, { rowGroupSize })
  let maxBuffered = 0
  for (let i = 0; i < n; i++) {
    w.write(row(i))
    maxBuffered = Math.max(maxBuffered, w.bufferedRows)
  }
  const { rows } = await w.close()
  return { rows, maxBuffered, groups: w.rowGroups }
}

const sqlPath = (file: string) => `'${file.replace(/'/g, "''")}'`

/** Reads a file back with DuckDB, as TelemetryRow objects, in file order. */
async function readBack(file: string): Promise<TelemetryRow[]> {
  const result = await con.runAndReadAll(`
    SELECT epoch_ms(ts) AS ts, epoch_ms(ts_device) AS ts_device, device_id, profile, sensor, value, value_clean,
           is_anomaly, anomaly_ids, seq, connectivity, battery, firmware_version
    FROM read_parquet(${sqlPath(file)}, file_row_number = true) ORDER BY file_row_number`)
  return result.getRowObjectsJS().map((r) => ({
    ...(r as unknown as TelemetryRow),
    ts: Number(r.ts),
    ts_device: Number(r.ts_device),
    seq: Number(r.seq),
  }))
}

describe('createParquetWriter', () => {
  const N = 250_000
  const GROUP = 60_000
  let file: string
  let written: Awaited<ReturnType<typeof writeRows>>

  beforeAll(async () => {
    file = join(dir, 'telemetry', 'part-0000.parquet')
    written = await writeRows(file, N, GROUP)
  })

  it('streams row groups: never buffers more than rowGroupSize rows', () => {
    expect(written.rows).toBe(N)
    expect(written.maxBuffered).toBe(GROUP - 1) // the row that fills a group flushes it
    expect(written.groups).toBe(Math.ceil(N / GROUP))
  })

  it('is read back row for row by an independent reader (DuckDB)', async () => {
    const back = await readBack(file)
    expect(back.length).toBe(N)
    const mismatches: { i: number; expected: TelemetryRow; actual: TelemetryRow | undefined }[] = []
    for (let i = 0; i < N && mismatches.length < 5; i++) {
      const expected = row(i)
      const actual = back[i]
      // toEqual treats NaN as equal to NaN and null only as null, which is what the columns promise.
      if (!actual || !isDeepStrictEqualRow(expected, actual)) mismatches.push({ i, expected, actual })
    }
    expect(mismatches).toEqual([])
    // The edge cases really are in the data (so the comparison above covered them).
    expect(back.filter((r) => r.value === null).length).toBeGreaterThan(2000)
    expect(back.filter((r) => r.value !== null && Number.isNaN(r.value)).length).toBeGreaterThan(2000)
    expect(back.filter((r) => r.battery === null).length).toBeGreaterThan(0)
    expect(new Set(back.map((r) => r.device_id))).toEqual(new Set(DEVICES))
  })

  it('has the documented schema: timestamps UTC millis, UTF8 strings, doubles, boolean, int64', async () => {
    const described = (await con.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet(${sqlPath(file)})`)).getRowObjectsJS()
    expect(described.map((c) => [c.column_name, c.column_type])).toEqual([
      ['ts', 'TIMESTAMP WITH TIME ZONE'],
      ['ts_device', 'TIMESTAMP WITH TIME ZONE'],
      ['device_id', 'VARCHAR'],
      ['profile', 'VARCHAR'],
      ['sensor', 'VARCHAR'],
      ['value', 'DOUBLE'],
      ['value_clean', 'DOUBLE'],
      ['is_anomaly', 'BOOLEAN'],
      ['anomaly_ids', 'VARCHAR'],
      ['seq', 'BIGINT'],
      ['connectivity', 'VARCHAR'],
      ['battery', 'DOUBLE'],
      ['firmware_version', 'VARCHAR'],
    ])
    const schema = (
      await con.runAndReadAll(
        `SELECT name, type, repetition_type, converted_type, logical_type FROM parquet_schema(${sqlPath(file)}) WHERE name <> 'root'`,
      )
    ).getRowObjectsJS()
    expect(schema.map((c) => c.name)).toEqual([...TELEMETRY_COLUMNS])
    const byName = Object.fromEntries(schema.map((c) => [c.name as string, c]))
    expect(byName.ts).toMatchObject({ type: 'INT64', repetition_type: 'REQUIRED', converted_type: 'TIMESTAMP_MILLIS' })
    expect(String(byName.ts!.logical_type)).toMatch(/TimestampType\(isAdjustedToUTC=1, unit=TimeUnit\(MILLIS/)
    expect(byName.device_id).toMatchObject({ type: 'BYTE_ARRAY', converted_type: 'UTF8' })
    expect(byName.value).toMatchObject({ type: 'DOUBLE', repetition_type: 'OPTIONAL' })
    expect(byName.value_clean).toMatchObject({ type: 'DOUBLE', repetition_type: 'REQUIRED' })
    expect(byName.battery).toMatchObject({ type: 'DOUBLE', repetition_type: 'OPTIONAL' })
    expect(byName.is_anomaly).toMatchObject({ type: 'BOOLEAN' })
    expect(byName.seq).toMatchObject({ type: 'INT64' })
  })

  it('writes snappy row groups of rowGroupSize rows and a constant created_by', async () => {
    const groups = (
      await con.runAndReadAll(
        `SELECT DISTINCT row_group_id, row_group_num_rows, compression FROM parquet_metadata(${sqlPath(file)}) ORDER BY row_group_id`,
      )
    ).getRowObjectsJS()
    expect(groups.map((g) => Number(g.row_group_num_rows))).toEqual([GROUP, GROUP, GROUP, GROUP, N - 4 * GROUP])
    expect(new Set(groups.map((g) => g.compression))).toEqual(new Set(['SNAPPY']))
    const meta = (await con.runAndReadAll(`SELECT created_by FROM parquet_file_metadata(${sqlPath(file)})`)).getRowObjectsJS()
    expect(meta[0]!.created_by).toBe(PARQUET_CREATED_BY)
  })

  it('keeps min/max statistics where readers skip row groups by them (time, device, sensor)', async () => {
    const stats = (
      await con.runAndReadAll(
        `SELECT path_in_schema, stats_min_value, stats_max_value FROM parquet_metadata(${sqlPath(file)}) WHERE row_group_id = 0`,
      )
    ).getRowObjectsJS()
    const of = (col: string) => stats.find((s) => s.path_in_schema === col)!
    expect(String(of('ts').stats_min_value)).toContain('2026-01-05')
    expect(of('device_id').stats_min_value).toBe([...DEVICES].sort()[0])
    expect(of('sensor').stats_max_value).toBe('temperature')
    expect(of('value').stats_min_value).toBeNull()
  })

  it('gives byte-identical files for the same rows', async () => {
    const again = join(dir, 'again.parquet')
    await writeRows(again, N, GROUP)
    expect(readFileSync(again).equals(readFileSync(file))).toBe(true)
  })
})

describe('createParquetWriter edge cases', () => {
  it('writes a valid empty file when no row came', async () => {
    const file = join(dir, 'empty.parquet')
    const { rows } = await createParquetWriter(file).close()
    expect(rows).toBe(0)
    expect(await readBack(file)).toEqual([])
  })

  it('writes one short row group when rows < rowGroupSize', async () => {
    const file = join(dir, 'short.parquet')
    const w = await writeRows(file, 10, 100_000)
    expect(w).toEqual({ rows: 10, maxBuffered: 10, groups: 1 })
    expect(await readBack(file)).toEqual(Array.from({ length: 10 }, (_, i) => row(i)))
  })

  it('writes -0 as 0, as the CSV and JSONL writers print it', async () => {
    const file = join(dir, 'zero.parquet')
    const w = createParquetWriter(file)
    for (const [value, clean] of [[-0, 0], [0, -0], [-0, -0]] as const) w.write({ ...row(1), value, value_clean: clean, battery: -0 })
    await w.close()
    for (const r of await readBack(file)) {
      expect(Object.is(r.value, 0) && Object.is(r.value_clean, 0) && Object.is(r.battery, 0)).toBe(true)
    }
  })

  it('refuses rows after close, and a bad rowGroupSize', async () => {
    const w = createParquetWriter(join(dir, 'closed.parquet'))
    await w.close()
    expect(() => w.write(row(0))).toThrow(/closed/)
    expect(() => createParquetWriter(join(dir, 'bad.parquet'), { rowGroupSize: 0 })).toThrow(/rowGroupSize/)
  })

  it('reports an unwritable path as FLEET_ERR_OUTPUT_WRITE', () => {
    const blocker = join(dir, 'a-file')
    writeFileSync(blocker, '')
    expect(() => createParquetWriter(join(blocker, 'under-a-file.parquet'))).toThrow(
      expect.objectContaining({ code: 'FLEET_ERR_OUTPUT_WRITE' }),
    )
  })
})

describe('createParquetWriter memory', () => {
  it('keeps the heap flat: growth from 80k to 400k rows is far below what the extra rows would take', async () => {
    // vitest runs without --expose-gc; V8 lets a running process turn it on.
    setFlagsFromString('--expose-gc')
    const gc = runInNewContext('gc') as () => void
    const file = join(dir, 'memory.parquet')
    const w = createParquetWriter(file, { rowGroupSize: 20_000 })
    const heapAt = new Map<number, number>()
    for (let i = 0; i < 400_000; i++) {
      w.write(row(i))
      if ((i + 1) % 80_000 === 0) {
        gc()
        heapAt.set(i + 1, process.memoryUsage().heapUsed)
      }
    }
    await w.close()
    const growth = heapAt.get(400_000)! - heapAt.get(80_000)!
    // 320k more rows held as objects would be ~100 MB; the file itself is several MB.
    expect(statSync(file).size).toBeGreaterThan(2_000_000)
    expect(growth).toBeLessThan(4_000_000)
  })
})

function isDeepStrictEqualRow(a: TelemetryRow, b: TelemetryRow): boolean {
  for (const k of TELEMETRY_COLUMNS) {
    const x = a[k]
    const y = b[k]
    if (!Object.is(x, y)) return false
  }
  return true
}
