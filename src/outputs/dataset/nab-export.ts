import { join } from 'node:path'
import type { AppendFiles, AppendHandle, ExportAnomaly } from './exports.js'
import type { SampleRows, TelemetryRow } from './row.js'

/**
 * A file-name-safe form of a device id or sensor name, one-to-one: `%`, path separators, characters
 * Windows forbids, control characters and a leading dot are percent-encoded; everything else
 * (letters of any script included) is kept.
 */
export function safeFileName(name: string): string {
  if (name === '') return '%'
  // eslint-disable-next-line no-control-regex -- control characters are exactly what must go
  const escaped = name.replace(/[%/\\:*?"<>|\x00-\x1f\x7f]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`)
  return escaped.startsWith('.') ? `%2E${escaped.slice(1)}` : escaped
}

const SECOND_MS = 1000

/** `YYYY-MM-DD HH:MM:SS` (UTC) of the second that holds `ms`. */
function secondString(ms: number): string {
  const iso = new Date(Math.floor(ms / SECOND_MS) * SECOND_MS).toISOString()
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}`
}

/**
 * NAB's data timestamp, `YYYY-MM-DD HH:MM:SS` UTC. NAB's files are second-resolution, so the
 * milliseconds are dropped (floored): one format in every file, which pandas parses without guessing.
 */
export function nabTimestamp(ms: number): string {
  return secondString(ms)
}

/** NAB's label timestamp, `YYYY-MM-DD HH:MM:SS.ffffff` UTC, of a whole second. */
function windowTimestamp(ms: number): string {
  return `${secondString(ms)}.000000`
}

/** A series that has a data file: its device and sensor, and its key in combined_windows.json. */
export interface NabSeries {
  device: string
  sensor: string
  /** `<device>/<sensor>.csv`: the file under data/, and the key in combined_windows.json. */
  key: string
}

interface Series extends NabSeries {
  out: AppendHandle
}

/** The NAB part of the exports; see createDatasetExports. */
export interface NabExport {
  write(row: TelemetryRow): void
  writeSample(s: SampleRows): void
  /** Writes labels/combined_windows.json (the data files are finished by the AppendFiles' close). */
  finish(anomalies: readonly ExportAnomaly[]): void
  /** The series written so far, in order of first appearance (for {@link writeNabLabels} elsewhere). */
  series(): NabSeries[]
}

class NabExportWriter implements NabExport {
  /** device → sensor → series, in order of first appearance. */
  private readonly byDevice = new Map<string, Map<string, Series>>()
  private lastSecond = Number.NaN
  private lastSecondText = ''

  constructor(
    private readonly dir: string,
    private readonly files: AppendFiles,
  ) {}

  write(row: TelemetryRow): void {
    const s = this.seriesOf(this.sensorsOf(row.device_id), row.device_id, row.sensor)
    if (row.value === null) return // a dropped reading is not in the series
    this.files.appendTo(s.out, `${this.timestamp(row.ts)},${row.value}\n`)
  }

  writeSample(sample: SampleRows): void {
    const sensors = this.sensorsOf(sample.device_id)
    for (let i = 0; i < sample.count; i++) {
      const s = this.seriesOf(sensors, sample.device_id, sample.sensors[i]!)
      const value = sample.values[i]!
      if (value === null) continue
      this.files.appendTo(s.out, `${this.timestamp(sample.ts)},${value}\n`)
    }
  }

  private sensorsOf(device: string): Map<string, Series> {
    let sensors = this.byDevice.get(device)
    if (!sensors) this.byDevice.set(device, (sensors = new Map()))
    return sensors
  }

  private seriesOf(sensors: Map<string, Series>, device: string, sensor: string): Series {
    let s = sensors.get(sensor)
    if (!s) {
      const key = `${safeFileName(device)}/${safeFileName(sensor)}.csv`
      s = { device, sensor, key, out: this.files.handle(join(this.dir, 'data', key)) }
      sensors.set(sensor, s)
      this.files.appendTo(s.out, 'timestamp,value\n')
    }
    return s
  }

  series(): NabSeries[] {
    return [...this.byDevice.values()].flatMap((m) => [...m.values()].map(({ device, sensor, key }) => ({ device, sensor, key })))
  }

  /** Rows come in time order, so most share the previous row's second: format each second once. */
  private timestamp(ms: number): string {
    const second = Math.floor(ms / SECOND_MS)
    if (second !== this.lastSecond) {
      this.lastSecond = second
      this.lastSecondText = nabTimestamp(ms)
    }
    return this.lastSecondText
  }

  finish(anomalies: readonly ExportAnomaly[]): void {
    writeNabLabels(this.dir, this.series(), anomalies, this.files)
  }
}

/**
 * `labels/combined_windows.json` under `dir` (the NAB export's folder): the windows of the anomalies
 * touching each of `series` (all of them, also from other writers), keys sorted. Returns the file.
 */
export function writeNabLabels(dir: string, series: readonly NabSeries[], anomalies: readonly ExportAnomaly[], files: AppendFiles): string {
  const byDevice = new Map<string, Map<string, string>>()
  const windows = new Map<string, [number, number][]>()
  for (const s of series) {
    ;(byDevice.get(s.device) ?? byDevice.set(s.device, new Map()).get(s.device)!).set(s.sensor, s.key)
    windows.set(s.key, [])
  }
  for (const a of anomalies) {
    // Widened to whole seconds (start floored, end ceiled), like the data timestamps: every sample
    // inside the anomaly stays inside its window.
    const start = Math.floor(a.start_ms / SECOND_MS) * SECOND_MS
    const end = Math.ceil(a.end_ms / SECOND_MS) * SECOND_MS
    for (const device of new Set(a.devices)) {
      const sensors = byDevice.get(device)
      if (!sensors) continue // not in this dataset (e.g. another shard's device)
      for (const [sensor, key] of sensors) {
        if (a.sensors.length > 0 && !a.sensors.includes(sensor)) continue
        windows.get(key)!.push([start, end])
      }
    }
  }
  const labels: Record<string, [string, string][]> = {}
  for (const key of [...windows.keys()].sort()) {
    labels[key] = mergeWindows(windows.get(key)!).map(([s, e]) => [windowTimestamp(s), windowTimestamp(e)])
  }
  // NAB's own file is Python's json.dump(indent=4, sort_keys=True): the same layout.
  const file = join(dir, 'labels', 'combined_windows.json')
  files.writeFile(file, JSON.stringify(labels, null, 4) + '\n')
  return file
}

/** NAB's scorer expects disjoint windows per file: overlapping or touching ones become one. */
function mergeWindows(windows: [number, number][]): [number, number][] {
  const sorted = [...windows].sort((a, b) => a[0] - b[0] || a[1] - b[1])
  const merged: [number, number][] = []
  for (const [s, e] of sorted) {
    const last = merged[merged.length - 1]
    if (last && s <= last[1]) last[1] = Math.max(last[1], e)
    else merged.push([s, e])
  }
  return merged
}

/**
 * NAB layout (github.com/numenta/NAB) under `dir`: `data/<device>/<sensor>.csv` with
 * `timestamp,value` (reported values; dropped readings left out) and
 * `labels/combined_windows.json`, the windows of the anomalies touching each series.
 */
export function createNabExport(dir: string, files: AppendFiles): NabExport {
  return new NabExportWriter(dir, files)
}
