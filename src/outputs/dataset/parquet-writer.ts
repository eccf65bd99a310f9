import { createHash } from 'node:crypto'
import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs'
import { dirname } from 'node:path'
import { ByteWriter, ParquetWriter, type ColumnSource, type SchemaElement } from 'hyparquet-writer'
import { errors } from '../../core/index.js'
import { TELEMETRY_COLUMNS, type SampleRowWriter, type SampleRows, type TelemetryRow, type WrittenFile } from './row.js'

/** Options of {@link createParquetWriter}. */
export interface ParquetWriterOptions {
  /** Rows per row group: the most rows held in memory at once. Default 100,000. */
  rowGroupSize?: number
}

/** A {@link RowFileWriter} for Parquet that tells how many rows it holds in memory. */
export interface ParquetRowWriter extends SampleRowWriter {
  /** Rows buffered for the row group in progress (never more than `rowGroupSize`). */
  readonly bufferedRows: number
  /** Row groups written to the file so far. */
  readonly rowGroups: number
}

export const DEFAULT_ROW_GROUP_SIZE = 100_000

/**
 * Written into the footer's `created_by`. Constant on purpose: no version, time or host, so the same
 * rows give the same bytes (acceptance: byte-identical datasets for the same seed).
 */
export const PARQUET_CREATED_BY = 'fleet-emu (hyparquet-writer)'

const timestamp: Omit<SchemaElement, 'name'> = {
  type: 'INT64',
  repetition_type: 'REQUIRED',
  converted_type: 'TIMESTAMP_MILLIS',
  logical_type: { type: 'TIMESTAMP', isAdjustedToUTC: true, unit: 'MILLIS' },
}
const utf8: Omit<SchemaElement, 'name'> = {
  type: 'BYTE_ARRAY',
  repetition_type: 'REQUIRED',
  converted_type: 'UTF8',
  logical_type: { type: 'STRING' },
}
const COLUMN_SCHEMA: Record<(typeof TELEMETRY_COLUMNS)[number], Omit<SchemaElement, 'name'>> = {
  ts: timestamp,
  ts_device: timestamp,
  device_id: utf8,
  profile: utf8,
  sensor: utf8,
  value: { type: 'DOUBLE', repetition_type: 'OPTIONAL' },
  value_clean: { type: 'DOUBLE', repetition_type: 'REQUIRED' },
  is_anomaly: { type: 'BOOLEAN', repetition_type: 'REQUIRED' },
  anomaly_ids: utf8,
  seq: { type: 'INT64', repetition_type: 'REQUIRED' },
  connectivity: utf8,
  battery: { type: 'DOUBLE', repetition_type: 'OPTIONAL' },
  firmware_version: utf8,
}

/**
 * String columns are few-valued (device ids, sensor names, states, anomaly ids): always dictionary-
 * encode them. Left to the library's sampling, a column of mostly empty strings (anomaly_ids) is
 * judged empty and written plain, one UTF-8 encode per row: that alone cut the writer's throughput
 * to about half (measured on 1M rows).
 */
const DICTIONARY_COLUMNS: ReadonlySet<string> = new Set(TELEMETRY_COLUMNS.filter((c) => COLUMN_SCHEMA[c].type === 'BYTE_ARRAY'))

/**
 * Min/max statistics where readers use them to skip row groups (time ranges, one device or sensor,
 * anomalous rows); elsewhere they cost writer time (~10%) for little.
 */
const STATISTICS_COLUMNS: ReadonlySet<string> = new Set(['ts', 'ts_device', 'device_id', 'sensor', 'seq', 'is_anomaly'])

/** The Parquet schema of a telemetry file: TELEMETRY_COLUMNS, in order. */
export const TELEMETRY_PARQUET_SCHEMA: readonly SchemaElement[] = [
  { name: 'root', num_children: TELEMETRY_COLUMNS.length },
  ...TELEMETRY_COLUMNS.map((name) => ({ name, ...COLUMN_SCHEMA[name] })),
]

/** A nullable DOUBLE column: values in a typed array, nulls flagged beside them. */
class NullableColumn {
  private readonly numbers: Float64Array
  private readonly isNull: Uint8Array

  constructor(capacity: number) {
    this.numbers = new Float64Array(capacity)
    this.isNull = new Uint8Array(capacity)
  }

  set(i: number, v: number | null): void {
    this.isNull[i] = v === null ? 1 : 0
    // -0 is written as 0, as the CSV and JSONL writers print it (and dictionary pages would merge the
    // two anyway: they key values by SameValueZero).
    this.numbers[i] = v === null || v === 0 ? 0 : v
  }

  /** The first n values as the writer takes them (null where null). */
  values(n: number): (number | null)[] {
    const out = new Array<number | null>(n)
    for (let i = 0; i < n; i++) out[i] = this.isNull[i] ? null : this.numbers[i]!
    return out
  }
}

/**
 * Column buffers for one row group, allocated once and reused: numbers in typed arrays (nullable ones
 * with a null flag beside them: a number in a plain array is a heap object, held until the group is
 * written, which made every row's value old-generation garbage), strings in plain arrays.
 */
class RowGroupBuffer {
  readonly ts: Float64Array
  readonly tsDevice: Float64Array
  readonly valueClean: Float64Array
  readonly seq: BigInt64Array
  readonly value: NullableColumn
  readonly battery: NullableColumn
  readonly isAnomaly: boolean[]
  readonly deviceId: string[]
  readonly profile: string[]
  readonly sensor: string[]
  readonly anomalyIds: string[]
  readonly connectivity: string[]
  readonly firmware: string[]
  length = 0

  constructor(readonly capacity: number) {
    this.ts = new Float64Array(capacity)
    this.tsDevice = new Float64Array(capacity)
    this.valueClean = new Float64Array(capacity)
    this.seq = new BigInt64Array(capacity)
    this.value = new NullableColumn(capacity)
    this.battery = new NullableColumn(capacity)
    this.isAnomaly = new Array<boolean>(capacity).fill(false)
    this.deviceId = new Array<string>(capacity).fill('')
    this.profile = new Array<string>(capacity).fill('')
    this.sensor = new Array<string>(capacity).fill('')
    this.anomalyIds = new Array<string>(capacity).fill('')
    this.connectivity = new Array<string>(capacity).fill('')
    this.firmware = new Array<string>(capacity).fill('')
  }

  push(r: TelemetryRow): void {
    const i = this.length++
    this.ts[i] = r.ts
    this.tsDevice[i] = r.ts_device
    // -0 is written as 0, as the CSV and JSONL writers print it (and dictionary pages would merge the
    // two anyway: they key values by SameValueZero).
    this.valueClean[i] = r.value_clean === 0 ? 0 : r.value_clean
    this.seq[i] = BigInt(r.seq)
    this.value.set(i, r.value)
    this.battery.set(i, r.battery)
    this.isAnomaly[i] = r.is_anomaly
    this.deviceId[i] = r.device_id
    this.profile[i] = r.profile
    this.sensor[i] = r.sensor
    this.anomalyIds[i] = r.anomaly_ids
    this.connectivity[i] = r.connectivity
    this.firmware[i] = r.firmware_version
  }

  /** Row `k` of a sample (see SampleRows), without a row object in between. */
  pushSample(s: SampleRows, k: number): void {
    const i = this.length++
    const clean = s.clean[k]!
    const value = s.values[k]!
    const ids = s.anomalyIds[k]!
    this.ts[i] = s.ts
    this.tsDevice[i] = s.ts_device
    this.valueClean[i] = clean === 0 ? 0 : clean
    this.seq[i] = BigInt(s.seq)
    this.value.set(i, value)
    this.battery.set(i, s.battery)
    this.isAnomaly[i] = ids !== ''
    this.deviceId[i] = s.device_id
    this.profile[i] = s.profile
    this.sensor[i] = s.sensors[k]!
    this.anomalyIds[i] = ids
    this.connectivity[i] = s.connectivity
    this.firmware[i] = s.firmware_version
  }

  /** The buffered rows as column sources, in TELEMETRY_COLUMNS order. */
  columns(): ColumnSource[] {
    const n = this.length
    // A full group is handed over as is; the library copies what it keeps (it slices per group).
    const cut = <T extends { slice(start: number, end: number): T }>(a: T): T => (n === this.capacity ? a : a.slice(0, n))
    const data = {
      ts: cut(this.ts),
      ts_device: cut(this.tsDevice),
      device_id: cut(this.deviceId),
      profile: cut(this.profile),
      sensor: cut(this.sensor),
      value: this.value.values(n),
      value_clean: cut(this.valueClean),
      is_anomaly: cut(this.isAnomaly),
      anomaly_ids: cut(this.anomalyIds),
      seq: cut(this.seq),
      connectivity: cut(this.connectivity),
      battery: this.battery.values(n),
      firmware_version: cut(this.firmware),
    }
    return TELEMETRY_COLUMNS.map((name) => ({
      name,
      data: data[name],
      statistics: STATISTICS_COLUMNS.has(name),
      ...(DICTIONARY_COLUMNS.has(name) ? { encoding: 'RLE_DICTIONARY' as const } : {}),
    }))
  }
}

/**
 * hyparquet-writer's file writer (bytes buffered, written in ~1 MB chunks), keeping one descriptor
 * instead of reopening the file per chunk, and hashing the chunks as they go (the manifest's sha256
 * without reading the file again).
 */
class HashingFileWriter extends ByteWriter {
  private readonly fd: number
  private readonly hash = createHash('sha256')
  written = 0
  digest = ''

  constructor(file: string) {
    super()
    this.fd = openSync(file, 'w')
  }

  private flushChunk(): void {
    const chunk = new Uint8Array(this.buffer, 0, this.index)
    for (let off = 0; off < chunk.length; ) off += writeSync(this.fd, chunk, off)
    this.hash.update(chunk)
    this.written += chunk.length
    this.index = 0
  }

  override ensure(size: number): void {
    if (this.index > 1_000_000) this.flushChunk()
    if (this.index + size > this.buffer.byteLength) {
      const grown = new ArrayBuffer(Math.max(this.buffer.byteLength * 2, this.index + size))
      new Uint8Array(grown).set(new Uint8Array(this.buffer, 0, this.index))
      this.buffer = grown
      this.view = new DataView(grown)
    }
  }

  override finish(): void {
    this.flushChunk()
    closeSync(this.fd)
    this.digest = this.hash.digest('hex')
  }

  override getBuffer(): ArrayBuffer {
    throw new Error('getBuffer is not supported by a file writer')
  }

  override getBytes(): Uint8Array<ArrayBuffer> {
    throw new Error('getBytes is not supported by a file writer')
  }
}

class ParquetFileWriter implements ParquetRowWriter {
  private readonly out: HashingFileWriter
  private readonly writer: ParquetWriter
  private readonly buffer: RowGroupBuffer
  private rows = 0
  private groups = 0
  private closed = false

  constructor(
    private readonly file: string,
    rowGroupSize: number,
  ) {
    if (!Number.isInteger(rowGroupSize) || rowGroupSize < 1) {
      throw errors.internal(`parquet rowGroupSize must be a positive integer, got ${rowGroupSize}`)
    }
    this.buffer = new RowGroupBuffer(rowGroupSize)
    try {
      mkdirSync(dirname(file), { recursive: true })
      this.out = new HashingFileWriter(file)
      this.writer = new ParquetWriter({
        writer: this.out,
        schema: [...TELEMETRY_PARQUET_SCHEMA],
        codec: 'SNAPPY',
        createdBy: PARQUET_CREATED_BY,
      })
    } catch (e) {
      throw errors.outputWrite(file, e)
    }
  }

  get bufferedRows(): number {
    return this.buffer.length
  }

  get rowGroups(): number {
    return this.groups
  }

  write(row: TelemetryRow): void {
    if (this.closed) throw errors.internal(`parquet writer for ${this.file} is closed`)
    this.buffer.push(row)
    this.rows++
    if (this.buffer.length === this.buffer.capacity) this.flushGroup()
  }

  writeSample(s: SampleRows): void {
    if (this.closed) throw errors.internal(`parquet writer for ${this.file} is closed`)
    for (let k = 0; k < s.count; k++) {
      this.buffer.pushSample(s, k)
      this.rows++
      if (this.buffer.length === this.buffer.capacity) this.flushGroup()
    }
  }

  /** Encodes the buffered rows as one row group and appends it to the file (synchronously). */
  private flushGroup(): void {
    if (this.buffer.length === 0) return
    let pending: void | Promise<void>
    try {
      pending = this.writer.write({ columnData: this.buffer.columns(), rowGroupSize: this.buffer.length })
    } catch (e) {
      throw errors.outputWrite(this.file, e)
    }
    // The file writer flushes synchronously, so write() has encoded and written the group when it
    // returns, and the buffers can be reused. A promise here would mean that changed.
    if (pending) throw errors.internal('hyparquet-writer wrote a row group asynchronously; its buffers would be reused too early')
    this.groups++
    this.buffer.length = 0
  }

  async close(): Promise<WrittenFile> {
    if (!this.closed) {
      this.closed = true
      this.flushGroup()
      try {
        await this.writer.finish()
      } catch (e) {
        throw errors.outputWrite(this.file, e)
      }
    }
    return { file: this.file, rows: this.rows, bytes: this.out.written, sha256: this.out.digest }
  }
}

/**
 * Streams telemetry rows into one Parquet file (snappy-compressed, row groups of `rowGroupSize`
 * rows). Memory holds one row group at most, whatever the number of rows; the footer is written by
 * `close()`, so a file is only readable once closed.
 *
 * Columns: `ts` and `ts_device` are INT64 TIMESTAMP(MILLIS, UTC); strings are UTF8; `value`
 * (nullable, NaN kept), `value_clean` and `battery` (nullable) are DOUBLE; `is_anomaly` is BOOLEAN;
 * `seq` is INT64. The bytes depend only on the rows: the same rows give the same file.
 *
 * @example
 * const out = createParquetWriter('data/run1/telemetry/part-0000.parquet')
 * for (const row of rows) out.write(row)
 * const { rows: written } = await out.close()
 */
export function createParquetWriter(file: string, opts: ParquetWriterOptions = {}): ParquetRowWriter {
  return new ParquetFileWriter(file, opts.rowGroupSize ?? DEFAULT_ROW_GROUP_SIZE)
}
