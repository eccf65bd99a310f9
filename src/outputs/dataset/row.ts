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

/** Streams rows to one file; close() finishes it and reports what was written. */
export interface RowFileWriter {
  write(row: TelemetryRow): void
  close(): Promise<{ file: string; rows: number }>
}
