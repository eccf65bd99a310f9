import { createHash } from 'node:crypto'
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs'
import { dirname } from 'node:path'
import { errors } from '../../core/index.js'
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

/** CSV lines of one sample: the shared columns are formatted once. */
function csvSample(): (s: SampleRows) => string {
  const str = remembered(csvString)
  return (s) => {
    const t = iso(s.ts)
    const head = `${t},${s.ts_device === s.ts ? t : iso(s.ts_device)},${str(s.device_id)},${str(s.profile)},`
    const tail = `,${s.seq},${s.connectivity},${num(s.battery)},${str(s.firmware_version)}\n`
    let out = ''
    for (let i = 0; i < s.count; i++) {
      const ids = s.anomalyIds[i]!
      out += `${head}${str(s.sensors[i]!)},${num(s.values[i]!)},${num(s.clean[i]!)},${ids !== ''},${ids === '' ? '' : str(ids)}${tail}`
    }
    return out
  }
}

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

/**
 * A buffered text writer: rows are joined into ~1 MB chunks before they reach the stream, which is
 * what keeps formatting, not syscalls, the cost per row.
 */
class TextRowWriter implements SampleRowWriter {
  private readonly stream: WriteStream
  /** sha256 of what was written, as it is written (no second read for the manifest). */
  private readonly hash = createHash('sha256')
  private bytes = 0
  /**
   * Text is encoded into this buffer as it comes and handed to the stream in ~1 MB chunks: the row
   * strings die at once, instead of living in a long string until it is written (which made them
   * survive into the old generation, and made the garbage collector a fifth of a dataset's time).
   */
  private buf: Buffer = Buffer.allocUnsafe(CHUNK_BYTES + (64 << 10))
  private length = 0
  private readonly spare: Buffer[] = []
  private rows = 0
  private written: WrittenFile | undefined

  constructor(
    private readonly file: string,
    header: string,
    private readonly line: (r: TelemetryRow) => string,
    private readonly sample: (s: SampleRows) => string,
  ) {
    try {
      mkdirSync(dirname(file), { recursive: true })
    } catch (e) {
      throw errors.outputWrite(file, e)
    }
    this.stream = createWriteStream(file)
    this.stream.on('error', () => undefined) // reported by close()
    this.append(header)
  }

  write(row: TelemetryRow): void {
    this.append(this.line(row))
    this.rows++
  }

  writeSample(s: SampleRows): void {
    this.append(this.sample(s))
    this.rows += s.count
  }

  private append(text: string): void {
    // At most 3 bytes per UTF-16 unit: room for the worst case, or a flush first.
    if (this.length + 3 * text.length > this.buf.length) {
      this.flush()
      if (3 * text.length > this.buf.length) this.buf = Buffer.allocUnsafe(3 * text.length)
    }
    this.length += this.buf.write(text, this.length)
    if (this.length >= CHUNK_BYTES) this.flush()
  }

  private flush(): void {
    if (this.length === 0) return
    const full = this.buf
    const bytes = full.subarray(0, this.length)
    // The stream holds the bytes until they are on disk; then the buffer is reused (fresh buffers
    // each megabyte count as external memory, and make V8 collect garbage more often).
    this.buf = this.spare.pop() ?? Buffer.allocUnsafe(CHUNK_BYTES + (64 << 10))
    this.length = 0
    this.hash.update(bytes)
    this.bytes += bytes.length
    this.stream.write(bytes, () => {
      if (full.length === CHUNK_BYTES + (64 << 10) && this.spare.length < 4) this.spare.push(full)
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

export function createCsvWriter(file: string): SampleRowWriter {
  return new TextRowWriter(file, TELEMETRY_COLUMNS.join(',') + '\n', csvLine, csvSample())
}

export function createJsonlWriter(file: string): SampleRowWriter {
  return new TextRowWriter(file, '', jsonLine, jsonSample())
}
