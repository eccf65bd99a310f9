import { createHash } from 'node:crypto'
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs'
import { dirname } from 'node:path'
import { errors } from '../../core/index.js'
import { ByteText } from './byte-text.js'
import { isoTime } from './iso-time.js'
import { TELEMETRY_COLUMNS, type SampleRows, type SampleRowWriter, type TelemetryRow, type WrittenFile } from './row.js'

/** Numbers as JavaScript prints them (shortest round-trip form: deterministic), NaN as `NaN`. */
function num(v: number | null): string {
  return v === null ? '' : String(v)
}

function csvString(s: string): string {
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s
}

const iso = isoTime

export function csvLine(r: TelemetryRow): string {
  return `${iso(r.ts)},${iso(r.ts_device)},${csvString(r.device_id)},${csvString(r.profile)},${csvString(r.sensor)},${num(r.value)},${num(r.value_clean)},${r.is_anomaly},${csvString(r.anomaly_ids)},${r.seq},${r.connectivity},${num(r.battery)},${csvString(r.firmware_version)}\n`
}

/** JSON has no NaN: a NaN reading is written as the string "NaN", as devices send it. */
export function jsonLine(r: TelemetryRow): string {
  const value = r.value !== null && Number.isNaN(r.value) ? '"NaN"' : JSON.stringify(r.value)
  return `{"ts":"${iso(r.ts)}","ts_device":"${iso(r.ts_device)}","device_id":${JSON.stringify(r.device_id)},"profile":${JSON.stringify(r.profile)},"sensor":${JSON.stringify(r.sensor)},"value":${value},"value_clean":${r.value_clean},"is_anomaly":${r.is_anomaly},"anomaly_ids":${JSON.stringify(r.anomaly_ids)},"seq":${r.seq},"connectivity":"${r.connectivity}","battery":${JSON.stringify(r.battery)},"firmware_version":${JSON.stringify(r.firmware_version)}}\n`
}

/**
 * An escaper that remembers the few strings recurring on every row (device ids, profiles, sensors,
 * versions, anomaly id lists): a dataset escapes the same strings millions of times.
 */
function remembered(escape: (s: string) => string): (s: string) => string {
  const seen = new Map<string, string>()
  return (s) => {
    let e = seen.get(s)
    if (e === undefined) {
      e = escape(s)
      if (seen.size < 100_000) seen.set(s, e)
    }
    return e
  }
}

/**
 * CSV rows of one sample, formatted as bytes (see ByteText): the same text as csvLine gives for each
 * of its rows, with the shared columns' bytes reused.
 */
function csvSample(s: SampleRows, t: ByteText): void {
  const start = t.length
  t.iso(s.ts)
  const tsEnd = t.length
  t.char(COMMA)
  if (s.ts_device === s.ts) t.repeat(start, tsEnd)
  else t.iso(s.ts_device)
  t.char(COMMA)
  t.recurring(s.device_id)
  t.char(COMMA)
  t.recurring(s.profile, SLOT_PROFILE)
  t.char(COMMA)
  const headEnd = t.length
  for (let i = 0; i < s.count; i++) {
    if (i > 0) t.repeat(start, headEnd)
    t.recurring(s.sensors[i]!, SLOT_SENSOR)
    t.char(COMMA)
    const v = s.values[i]!
    if (v !== null) t.number(v, NUM_VALUE)
    t.char(COMMA)
    t.number(s.clean[i]!, NUM_VALUE)
    const ids = s.anomalyIds[i]!
    if (ids === '') t.bytes(NOT_ANOMALY)
    else {
      t.bytes(ANOMALY)
      t.recurring(ids, SLOT_IDS)
      t.char(COMMA)
    }
    t.number(s.seq, NUM_SEQ)
    t.char(COMMA)
    t.literal(s.connectivity, 0)
    t.char(COMMA)
    if (s.battery !== null) t.number(s.battery, NUM_BATTERY)
    t.char(COMMA)
    t.recurring(s.firmware_version, SLOT_FIRMWARE)
    t.char(NEWLINE)
  }
}

const COMMA = 44
const NEWLINE = 10
const NOT_ANOMALY = Buffer.from(',false,,')
const ANOMALY = Buffer.from(',true,')
const [SLOT_PROFILE, SLOT_SENSOR, SLOT_IDS, SLOT_FIRMWARE] = [0, 1, 2, 3]
const [NUM_VALUE, NUM_SEQ, NUM_BATTERY] = [0, 1, 2]

function jsonSample(): (s: SampleRows) => string {
  const str = remembered((s) => JSON.stringify(s))
  return (s) => {
    const t = iso(s.ts)
    const head = `{"ts":"${t}","ts_device":"${s.ts_device === s.ts ? t : iso(s.ts_device)}","device_id":${str(s.device_id)},"profile":${str(s.profile)},"sensor":`
    const tail = `,"seq":${s.seq},"connectivity":"${s.connectivity}","battery":${JSON.stringify(s.battery)},"firmware_version":${str(s.firmware_version)}}\n`
    let out = ''
    for (let i = 0; i < s.count; i++) {
      const v = s.values[i]!
      const value = v !== null && Number.isNaN(v) ? '"NaN"' : JSON.stringify(v)
      out += `${head}${str(s.sensors[i]!)},"value":${value},"value_clean":${s.clean[i]},"is_anomaly":${s.anomalyIds[i] !== ''},"anomaly_ids":${str(s.anomalyIds[i]!)}${tail}`
    }
    return out
  }
}

const CHUNK_BYTES = 1 << 20
const BUFFER_BYTES = CHUNK_BYTES + (64 << 10)

/** How a writer formats: a row, and a sample's rows (as text, or straight into the bytes). */
interface TextFormat {
  header: string
  line: (r: TelemetryRow) => string
  sample: ((s: SampleRows) => string) | { bytes: (s: SampleRows, t: ByteText) => void; escape: (s: string) => string; rowBytes: number }
}

/**
 * A buffered text writer: rows are encoded into a ~1 MB buffer and handed to the stream a chunk at a
 * time, which is what keeps formatting, not syscalls, the cost per row.
 */
class TextRowWriter implements SampleRowWriter {
  private readonly stream: WriteStream
  /** sha256 of what was written, as it is written (no second read for the manifest). */
  private readonly hash = createHash('sha256')
  private bytes = 0
  /**
   * Rows go into this buffer as bytes and on to the stream in ~1 MB chunks: row strings die at once (or
   * are never made), instead of living in a long string until it is written (which made them survive
   * into the old generation, and made the garbage collector a fifth of a dataset's time).
   */
  private readonly text: ByteText
  private readonly spare: Buffer[] = []
  private rows = 0
  private written: WrittenFile | undefined

  constructor(
    private readonly file: string,
    private readonly format: TextFormat,
  ) {
    try {
      mkdirSync(dirname(file), { recursive: true })
    } catch (e) {
      throw errors.outputWrite(file, e)
    }
    // Up to a few chunks in flight before drained() waits: waiting on each chunk's write made the
    // simulation idle a twentieth of the time, with the disk (or /dev/shm) keeping up.
    this.stream = createWriteStream(file, { highWaterMark: 4 * CHUNK_BYTES })
    this.stream.on('error', () => undefined) // reported by close()
    const sample = format.sample
    this.text = new ByteText(BUFFER_BYTES, typeof sample === 'function' ? undefined : sample.escape)
    this.append(format.header)
  }

  write(row: TelemetryRow): void {
    this.append(this.format.line(row))
    this.rows++
  }

  writeSample(s: SampleRows): void {
    const sample = this.format.sample
    if (typeof sample === 'function') this.append(sample(s))
    else {
      this.reserve(sampleBytes(s, sample.rowBytes))
      sample.bytes(s, this.text)
      if (this.text.length >= CHUNK_BYTES) this.flush()
    }
    this.rows += s.count
  }

  private append(text: string): void {
    // At most 3 bytes per UTF-16 unit.
    this.reserve(3 * text.length)
    this.text.text(text)
    if (this.text.length >= CHUNK_BYTES) this.flush()
  }

  /** Room for `bytes` more in the buffer: a flush first if needed, a bigger buffer for a huge row. */
  private reserve(bytes: number): void {
    if (this.text.room(bytes)) return
    this.flush()
    if (!this.text.room(bytes)) this.text.reset(Buffer.allocUnsafe(bytes))
  }

  private flush(): void {
    const t = this.text
    if (t.length === 0) return
    const full = t.buf
    const bytes = full.subarray(0, t.length)
    // The stream holds the bytes until they are on disk; then the buffer is reused (fresh buffers
    // each megabyte count as external memory, and make V8 collect garbage more often).
    t.reset(this.spare.pop() ?? Buffer.allocUnsafe(BUFFER_BYTES))
    this.hash.update(bytes)
    this.bytes += bytes.length
    this.stream.write(bytes, () => {
      if (full.length === BUFFER_BYTES && this.spare.length < 4) this.spare.push(full)
    })
  }

  async drained(): Promise<void> {
    this.flush()
    if (this.stream.writableNeedDrain) await new Promise<void>((resolve) => this.stream.once('drain', () => resolve()))
  }

  async close(): Promise<WrittenFile> {
    if (this.written) return this.written
    this.flush()
    await new Promise<void>((resolve, reject) => {
      this.stream.once('error', (e) => reject(errors.outputWrite(this.file, e)))
      this.stream.end(() => resolve())
    })
    return (this.written = { file: this.file, rows: this.rows, bytes: this.bytes, sha256: this.hash.digest('hex') })
  }
}

/**
 * At most how many bytes a sample's rows take: `rowBytes` for each row's numbers, times and
 * separators, plus its strings escaped at worst (every character a quote doubled, 3 bytes each).
 */
function sampleBytes(s: SampleRows, rowBytes: number): number {
  const shared = 6 * (s.device_id.length + s.profile.length + s.firmware_version.length + s.connectivity.length) + rowBytes
  let n = 0
  for (let i = 0; i < s.count; i++) n += shared + 6 * (s.sensors[i]!.length + s.anomalyIds[i]!.length)
  return n
}

export function createCsvWriter(file: string): SampleRowWriter {
  return new TextRowWriter(file, { header: TELEMETRY_COLUMNS.join(',') + '\n', line: csvLine, sample: { bytes: csvSample, escape: csvString, rowBytes: 256 } })
}

export function createJsonlWriter(file: string): SampleRowWriter {
  return new TextRowWriter(file, { header: '', line: jsonLine, sample: jsonSample() })
}
