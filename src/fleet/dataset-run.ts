import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { VirtualClock, monotonicMs } from '../core/index.js'
import type { VirtualDevice } from '../device/index.js'
import {
  buildAnomalyEvents,
  createCsvWriter,
  createJsonlWriter,
  createDatasetExports,
  createParquetWriter,
  writePreview,
  describeFile,
  JsonlWriter,
  sha256Text,
  writeJsonFile,
  type ManifestFile,
  rowsOf,
  type RowFileWriter,
  type SampleRows,
  type SampleRowWriter,
  type PreviewSeries,
} from '../outputs/index.js'
import { Fleet, shardOf } from './fleet.js'
import type { ResolvedFleet } from './load-fleet.js'
import type { PlannedFault } from './plan-fleet.js'

export type DatasetFormat = 'parquet' | 'csv' | 'jsonl'

export interface DatasetOptions {
  outDir: string
  format?: DatasetFormat
  seed?: number
  durationMs?: number
  shard?: { index: number; count: number }
  /** Called after each chunk of simulated time. */
  onProgress?: (p: DatasetProgress) => void
  /** Checked between chunks; when it returns true the run stops and the dataset is marked partial. */
  shouldStop?: () => boolean
  /** Package version written to the manifest. */
  version?: string
  /** Write exports/nab and exports/timeeval (default true). */
  exports?: boolean
  /** Write preview.html (default true). */
  preview?: boolean
}

export interface DatasetProgress {
  simulatedMs: number
  durationMs: number
  rows: number
  wallMs: number
}

export interface DatasetResult {
  outDir: string
  status: 'complete' | 'partial'
  rows: number
  anomalies: number
  devices: number
  simulatedMs: number
  wallMs: number
  files: ManifestFile[]
}

/** Without `start:` in the fleet file, datasets begin at this instant, so they are reproducible. */
export const DEFAULT_DATASET_START = Date.UTC(2026, 0, 1)

const WRITERS: Record<DatasetFormat, { ext: string; create: (file: string) => RowFileWriter }> = {
  parquet: { ext: 'parquet', create: (file) => createParquetWriter(file) },
  csv: { ext: 'csv', create: createCsvWriter },
  jsonl: { ext: 'jsonl', create: createJsonlWriter },
}

/**
 * The dataset mode of a fleet: the same devices, firmware machines and fault plan as a live run, on a
 * VirtualClock as fast as the CPU allows, with telemetry written as labelled rows instead of MQTT.
 * Labels come from the fault log: a row carries the ids of the faults active on its device (and
 * sensor) when it was sampled. Same fleet file + seed ⇒ byte-identical folder.
 */
export async function runDataset(resolved: ResolvedFleet, opts: DatasetOptions): Promise<DatasetResult> {
  const format = opts.format ?? 'parquet'
  const startEpoch = resolved.spec.start ? Date.parse(resolved.spec.start) : DEFAULT_DATASET_START
  const clock = new VirtualClock({ epochMs: startEpoch })
  const writer = WRITERS[format]
  const telemetryFile = join(opts.outDir, 'telemetry', `part-00000.${writer.ext}`)
  const rowsOut = writer.create(telemetryFile)
  let rows = 0
  let fleetRef: Fleet | undefined

  // One reused SampleRows: writers consume it synchronously (no per-row objects on the hot path).
  const out: SampleRows = { ts: 0, ts_device: 0, device_id: '', profile: '', seq: 0, connectivity: '', battery: null, firmware_version: '', count: 0, sensors: [], values: [], clean: [], anomalyIds: [] }
  const onSample = (
    device: VirtualDevice,
    sample: { ts: number; values: Record<string, number | null>; clean: Record<string, number>; faultIds: Record<string, string[]> },
    seq: number,
    message: { fields: { ts: number }; faultIds: string[] },
  ) => {
    const active = fleetRef!.activeFaultsOn(device.id)
    const battery = device.batteryPercent
    out.ts = sample.ts
    out.ts_device = message.fields.ts
    out.device_id = device.id
    out.profile = device.identity.profile.name
    out.seq = seq
    out.connectivity = device.currentStates.connectivity
    out.battery = battery === undefined ? null : Math.round(battery * 10) / 10
    out.firmware_version = device.firmwareVersion
    let n = 0
    for (const sensor in sample.clean) {
      let ids = ''
      const touched = sample.faultIds[sensor]
      if (active.size > 0 || touched || message.faultIds.length > 0) {
        // Faults active on the device (the log's windows), plus those the device itself recorded on
        // this sample: a fault that ends inside the sample that it changed (the last of a spike's N
        // samples) has already left the active set.
        const hit = new Set<string>(touched)
        for (const id of message.faultIds) hit.add(id)
        for (const [faultId, f] of active) {
          const named = f.params.sensors
          if (!Array.isArray(named) || named.includes(sensor)) hit.add(faultId)
        }
        ids = [...hit].sort().join(';')
      }
      out.sensors[n] = sensor
      out.values[n] = sample.values[sensor] ?? null
      out.clean[n] = sample.clean[sensor]!
      out.anomalyIds[n] = ids
      n++
    }
    out.count = n
    rows += n
    if ('writeSample' in rowsOut) (rowsOut as SampleRowWriter).writeSample(out)
    else for (const row of rowsOf(out)) rowsOut.write(row)
    if (exportsOut) for (const row of rowsOf(out)) exportsOut.write(row)
    const plotted = previewSeries.get(device.id)
    if (plotted) for (let i = 0; i < n; i++) plotted.get(out.sensors[i]!)?.points.push([out.ts, out.values[i]!, out.clean[i]!])
  }

  const sensorsOfDevice = new Map(resolved.devices.map((d) => [d.id, Object.keys(d.profile.sensors)]))
  const exportsOut = opts.exports === false ? undefined : createDatasetExports(join(opts.outDir, 'exports'), { sensorsOf: (id) => sensorsOfDevice.get(id) ?? [] })
  let previewSeries = new Map<string, Map<string, PreviewSeries>>()
  const fleet = (fleetRef = new Fleet(resolved, { clock, seed: opts.seed, durationMs: opts.durationMs, transport: 'in-process', metricsPort: false, shard: opts.shard, onSample }))
  const faultLog = new JsonlWriter(join(opts.outDir, 'faults.jsonl'), 1024)
  if (opts.preview !== false) previewSeries = choosePreviewSeries(resolved, fleet.plan, opts)
  const wallStart = monotonicMs()
  await fleet.start()
  // The fault log is written as records close; collect them for anomalies.jsonl too.
  const records: Parameters<typeof buildAnomalyEvents>[0][number][] = []
  const durationMs = fleet.durationMs
  // Chunks of simulated time between progress reports, signal checks and backpressure waits.
  const chunk = Math.max(60_000, Math.min(3_600_000, Math.ceil(durationMs / 500)))
  let simulated = 0
  let stopped = false
  while (simulated < durationMs) {
    simulated = Math.min(durationMs, simulated + chunk)
    clock.runUntil(startEpoch + simulated)
    opts.onProgress?.({ simulatedMs: simulated, durationMs, rows, wallMs: monotonicMs() - wallStart })
    // Let signals and I/O in between chunks, and wait for the disk when it is slower than we are.
    await new Promise((resolve) => setImmediate(resolve))
    await rowsOut.drained?.()
    if (opts.shouldStop?.()) {
      stopped = true
      break
    }
  }
  await fleet.stop({ reason: stopped ? 'interrupted' : 'complete' })
  for (const r of fleet.faultLog) {
    faultLog.write(r)
    records.push(r)
  }
  faultLog.flush()
  const sensorsOf = new Map(fleet.shardDevices().map((d) => [d.id, Object.keys(d.profile.sensors)]))
  const anomalies = buildAnomalyEvents(records, (id) => sensorsOf.get(id) ?? [])
  const anomaliesFile = join(opts.outDir, 'anomalies.jsonl')
  const anomalyWriter = new JsonlWriter(anomaliesFile, 1024)
  for (const a of anomalies) anomalyWriter.write(a)
  anomalyWriter.flush()
  const written = await rowsOut.close()
  const exported = exportsOut ? await exportsOut.close(anomalies) : { files: [] }
  const previewFile = join(opts.outDir, 'preview.html')
  if (opts.preview !== false) {
    const shown = new Set(previewSeries.keys())
    writePreview(previewFile, {
      title: `${resolved.spec.name} — seed ${fleet.seed}`,
      series: [...previewSeries.values()].flatMap((m) => [...m.values()]),
      windows: anomalies.flatMap((a) => a.devices.filter((d) => shown.has(d)).map((device) => ({ anomaly_id: a.anomaly_id, device, start_ms: a.start_ms, end_ms: a.end_ms, type: a.type, ...(Array.isArray(a.params.sensors) ? { sensor: (a.params.sensors as string[])[0] } : {}) }))),
    })
  }

  const files = [
    await describeFile(opts.outDir, written.file, written.rows),
    await describeFile(opts.outDir, anomaliesFile, anomalies.length),
    await describeFile(opts.outDir, join(opts.outDir, 'faults.jsonl'), records.length),
    ...(opts.preview !== false ? [await describeFile(opts.outDir, previewFile)] : []),
  ]
  for (const f of exported.files) files.push(await describeFile(opts.outDir, f))
  const status = stopped ? 'partial' : 'complete'
  writeJsonFile(join(opts.outDir, 'manifest.json'), {
    kind: 'fleet-emu dataset',
    status,
    fleet: resolved.spec.name,
    fleetFile: { path: resolved.file.split('\\').join('/').split('/').pop(), sha256: sha256Text(readFileSync(resolved.file)) },
    seed: fleet.seed,
    start: new Date(startEpoch).toISOString(),
    durationMs,
    simulatedMs: simulated,
    devices: fleet.size,
    shard: opts.shard ? `${opts.shard.index}/${opts.shard.count}` : '0/1',
    format,
    versions: { 'fleet-emu': opts.version ?? 'dev' },
    rows,
    anomalies: anomalies.length,
    files,
  })
  return { outDir: opts.outDir, status, rows, anomalies: anomalies.length, devices: fleet.size, simulatedMs: simulated, wallMs: monotonicMs() - wallStart, files }
}

/**
 * The series preview.html plots: the first sensor of up to four devices hit by value faults (in plan
 * order), and one device no fault touches, for contrast. Only these are kept in memory.
 */
function choosePreviewSeries(resolved: ResolvedFleet, plan: readonly PlannedFault[], opts: DatasetOptions): Map<string, Map<string, PreviewSeries>> {
  const local = new Set(shardOf(resolved.devices, opts.shard).map((d) => d.id))
  const picked = new Map<string, string>()
  const touched = new Set(plan.flatMap((p) => p.deviceIds))
  for (const p of plan) {
    if (picked.size >= 4) break
    if (!String(p.kind).startsWith('telemetry.') && p.kind !== 'sensor-failure' && p.kind !== 'cohort-shift') continue
    const id = p.deviceIds.find((d) => local.has(d) && !picked.has(d))
    if (!id) continue
    const sensors = Array.isArray(p.entry.sensors) ? (p.entry.sensors as string[]) : Object.keys(resolved.devices.find((d) => d.id === id)!.profile.sensors)
    picked.set(id, sensors[0]!)
  }
  const calm = resolved.devices.find((d) => local.has(d.id) && !touched.has(d.id))
  if (calm) picked.set(calm.id, Object.keys(calm.profile.sensors)[0]!)
  return new Map([...picked].map(([device, sensor]) => [device, new Map([[sensor, { device, sensor, points: [] }]])]))
}
