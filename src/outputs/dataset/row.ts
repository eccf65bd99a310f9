/** One telemetry row of a dataset: long format, one row per (sample, sensor). */
export interface TelemetryRow {
  /** Simulation time of the sample, epoch ms (UTC). */
  ts: number
  /** The device's own timestamp, epoch ms (differs from ts under clock-skew faults). */
  ts_device: number
  device_id: string
  profile: string
  sensor: string
  /** Reported value; null where the reading was dropped; NaN where the device reported NaN. */
  value: number | null
  /** The value before any fault. */
  value_clean: number
  is_anomaly: boolean
  /** Ids of the anomalies (fault occurrences) affecting this row, ';'-joined, sorted; '' when none. */
  anomaly_ids: string
  seq: number
  connectivity: string
  /** Battery percent, 1 decimal; null for mains-powered devices. */
  battery: number | null
  firmware_version: string
}

export const TELEMETRY_COLUMNS = [
  'ts',
  'ts_device',
  'device_id',
  'profile',
  'sensor',
  'value',
  'value_clean',
  'is_anomaly',
  'anomaly_ids',
  'seq',
  'connectivity',
  'battery',
  'firmware_version',
] as const

/** A finished file: its rows and, when the writer hashed what it wrote, its size and sha256. */
export interface WrittenFile {
  file: string
  rows: number
  bytes?: number
  sha256?: string
}

/** Streams rows to one file; close() finishes it and reports what was written. */
export interface RowFileWriter {
  write(row: TelemetryRow): void
  close(): Promise<WrittenFile>
  /** Resolves once buffered output has reached the OS (backpressure: memory stays flat). */
  drained?(): Promise<void>
}

/**
 * One sample's rows at once: the columns they share, then one entry per sensor. Writers that can take
 * it format the shared part once per sample; the dataset reuses one of these for every sample, so a
 * writer must not keep it after `writeSample` returns.
 */
export interface SampleRows {
  ts: number
  ts_device: number
  device_id: string
  profile: string
  seq: number
  connectivity: string
  battery: number | null
  firmware_version: string
  count: number
  sensors: string[]
  values: (number | null)[]
  clean: number[]
  anomalyIds: string[]
}

export interface SampleRowWriter extends RowFileWriter {
  writeSample(s: SampleRows): void
}

/** Rows of a SampleRows, for writers that take rows one at a time. */
export function* rowsOf(s: SampleRows): Generator<TelemetryRow> {
  for (let i = 0; i < s.count; i++) {
    const ids = s.anomalyIds[i]!
    yield {
      ts: s.ts,
      ts_device: s.ts_device,
      device_id: s.device_id,
      profile: s.profile,
      sensor: s.sensors[i]!,
      value: s.values[i]!,
      value_clean: s.clean[i]!,
      is_anomaly: ids !== '',
      anomaly_ids: ids,
      seq: s.seq,
      connectivity: s.connectivity,
      battery: s.battery,
      firmware_version: s.firmware_version,
    }
  }
}
