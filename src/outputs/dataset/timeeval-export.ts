import { join } from 'node:path'
import { errors } from '../../core/index.js'
import type { AppendFiles, AppendHandle } from './exports.js'
import { isoTime } from './iso-time.js'
import { safeFileName } from './nab-export.js'
import type { SampleRows, TelemetryRow } from './row.js'

/** One device's file, and the sample being joined (its rows share ts and seq). */
interface DeviceFile {
  file: string
  out: AppendHandle
  sensors: string[]
  column: Map<string, number>
  /** Sensor order not given: taken from the device's first sample, then fixed. */
  learning: boolean
  /** Header and column map written. */
  started: boolean
  pending: boolean
  ts: number
  seq: number
  values: (number | null | undefined)[]
  anomalous: boolean
}

/** The TimeEval part of the exports; see createDatasetExports. */
export interface TimeEvalExport {
  write(row: TelemetryRow): void
  writeSample(s: SampleRows): void
  /** Writes the last sample of every device (the files are finished by the AppendFiles' close). */
  finish(): void
}

class TimeEvalExportWriter implements TimeEvalExport {
  private readonly devices = new Map<string, DeviceFile>()

  constructor(
    private readonly dir: string,
    private readonly files: AppendFiles,
    private readonly sensorsOf?: (deviceId: string) => readonly string[],
  ) {}

  write(row: TelemetryRow): void {
    const d = this.devices.get(row.device_id) ?? this.open(row.device_id)
    this.begin(d, row.ts, row.seq)
    d.values[this.column(d, row.device_id, row.sensor)] = row.value
    d.anomalous ||= row.is_anomaly
  }

  writeSample(s: SampleRows): void {
    const d = this.devices.get(s.device_id) ?? this.open(s.device_id)
    this.begin(d, s.ts, s.seq)
    for (let k = 0; k < s.count; k++) {
      d.values[this.column(d, s.device_id, s.sensors[k]!)] = s.values[k]!
      d.anomalous ||= s.anomalyIds[k] !== ''
    }
  }

  /** Makes (ts, seq) the pending sample of the device, writing the one before when it differs. */
  private begin(d: DeviceFile, ts: number, seq: number): void {
    if (d.pending && (ts !== d.ts || seq !== d.seq)) this.emit(d)
    if (!d.pending) {
      d.pending = true
      d.ts = ts
      d.seq = seq
      d.values.fill(undefined) // reused: a line per sample, millions of them
      d.anomalous = false
    }
  }

  private column(d: DeviceFile, deviceId: string, sensor: string): number {
    let i = d.column.get(sensor)
    if (i === undefined) {
      if (!d.learning) {
        throw errors.internal(
          `TimeEval export: device "${deviceId}" has a row for sensor "${sensor}", which is not among its sensors ` +
            `(${d.sensors.join(', ')}) — pass sensorsOf so that every sensor has a column from the start`,
        )
      }
      i = d.sensors.push(sensor) - 1
      d.column.set(sensor, i)
    }
    return i
  }

  finish(): void {
    for (const d of this.devices.values()) if (d.pending) this.emit(d)
  }

  private open(deviceId: string): DeviceFile {
    const given = this.sensorsOf?.(deviceId)
    const sensors = given ? [...given] : []
    const file = join(this.dir, `${safeFileName(deviceId)}.csv`)
    const d: DeviceFile = {
      file,
      out: this.files.handle(file),
      sensors,
      column: new Map(sensors.map((s, i) => [s, i])),
      learning: !given,
      started: false,
      pending: false,
      ts: 0,
      seq: 0,
      values: [],
      anomalous: false,
    }
    this.devices.set(deviceId, d)
    return d
  }

  /** Writes the pending sample as one line (and, before the first, the header and the column map). */
  private emit(d: DeviceFile): void {
    if (!d.started) {
      d.started = true
      d.learning = false
      const columns: Record<string, string> = {}
      d.sensors.forEach((s, i) => (columns[`value-${i}`] = s))
      this.files.writeFile(d.file.replace(/\.csv$/, '.columns.json'), JSON.stringify(columns, null, 2) + '\n')
      this.files.appendTo(d.out, `timestamp,${d.sensors.map((_, i) => `value-${i}`).join(',')},is_anomaly\n`)
    }
    let line = isoTime(d.ts)
    for (let i = 0; i < d.sensors.length; i++) {
      const v = d.values[i]
      line += v === null || v === undefined ? ',' : `,${v}`
    }
    this.files.appendTo(d.out, `${line},${d.anomalous ? 1 : 0}\n`)
    d.pending = false
  }
}

/**
 * TimeEval's canonical layout (as GutenTAG writes it) under `dir`: per device `<device>.csv` with
 * `timestamp,value-0,…,value-n,is_anomaly`, one line per sample (the device's rows that share `ts`
 * and `seq`), `timestamp` ISO 8601 UTC, columns in the device's sensor order, an empty cell where a
 * reading was dropped, `is_anomaly` 1 when any of the sample's rows is anomalous; and
 * `<device>.columns.json` naming the sensor behind each `value-i`.
 */
export function createTimeEvalExport(dir: string, files: AppendFiles, sensorsOf?: (deviceId: string) => readonly string[]): TimeEvalExport {
  return new TimeEvalExportWriter(dir, files, sensorsOf)
}
