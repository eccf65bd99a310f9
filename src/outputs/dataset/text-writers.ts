import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs'
import { dirname } from 'node:path'
import { errors } from '../../core/index.js'
import { isoTime } from './iso-time.js'
import { TELEMETRY_COLUMNS, type SampleRows, type SampleRowWriter, type TelemetryRow } from './row.js'

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

/** CSV lines of one sample: the shared columns are formatted once. */
function csvSample(s: SampleRows): string {
  const t = iso(s.ts)
  const head = `${t},${s.ts_device === s.ts ? t : iso(s.ts_device)},${csvString(s.device_id)},${csvString(s.profile)},`
  const tail = `,${s.seq},${s.connectivity},${num(s.battery)},${csvString(s.firmware_version)}\n`
  let out = ''
  for (let i = 0; i < s.count; i++) {
    const ids = s.anomalyIds[i]!
    out += `${head}${csvString(s.sensors[i]!)},${num(s.values[i]!)},${num(s.clean[i]!)},${ids !== ''},${csvString(ids)}${tail}`
  }
  return out
}

function jsonSample(s: SampleRows): string {
  const t = iso(s.ts)
  const head = `{"ts":"${t}","ts_device":"${s.ts_device === s.ts ? t : iso(s.ts_device)}","device_id":${JSON.stringify(s.device_id)},"profile":${JSON.stringify(s.profile)},"sensor":`
  const tail = `,"seq":${s.seq},"connectivity":"${s.connectivity}","battery":${JSON.stringify(s.battery)},"firmware_version":${JSON.stringify(s.firmware_version)}}\n`
  let out = ''
  for (let i = 0; i < s.count; i++) {
    const v = s.values[i]!
    const value = v !== null && Number.isNaN(v) ? '"NaN"' : JSON.stringify(v)
    const ids = s.anomalyIds[i]!
    out += `${head}${JSON.stringify(s.sensors[i])},"value":${value},"value_clean":${s.clean[i]},"is_anomaly":${ids !== ''},"anomaly_ids":${JSON.stringify(ids)}${tail}`
  }
  return out
}

/**
 * A buffered text writer: rows are joined into ~1 MB chunks before they reach the stream, which is
 * what keeps formatting, not syscalls, the cost per row.
 */
class TextRowWriter implements SampleRowWriter {
  private readonly stream: WriteStream
  private chunk = ''
  private rows = 0

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
    this.chunk = header
  }

  write(row: TelemetryRow): void {
    this.chunk += this.line(row)
    this.rows++
    if (this.chunk.length > 1 << 20) this.flush()
  }

  writeSample(s: SampleRows): void {
    this.chunk += this.sample(s)
    this.rows += s.count
    if (this.chunk.length > 1 << 20) this.flush()
  }

  private flush(): void {
    if (this.chunk) this.stream.write(this.chunk)
    this.chunk = ''
  }

  async drained(): Promise<void> {
    this.flush()
    if (this.stream.writableNeedDrain) await new Promise<void>((resolve) => this.stream.once('drain', () => resolve()))
  }

  async close(): Promise<{ file: string; rows: number }> {
    this.flush()
    await new Promise<void>((resolve, reject) => {
      this.stream.once('error', (e) => reject(errors.outputWrite(this.file, e)))
      this.stream.end(() => resolve())
    })
    return { file: this.file, rows: this.rows }
  }
}

export function createCsvWriter(file: string): SampleRowWriter {
  return new TextRowWriter(file, TELEMETRY_COLUMNS.join(',') + '\n', csvLine, csvSample)
}

export function createJsonlWriter(file: string): SampleRowWriter {
  return new TextRowWriter(file, '', jsonLine, jsonSample)
}
