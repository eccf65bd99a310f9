import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { monotonicMs } from '../core/index.js'
import { planFaults } from '../faults/index.js'
import {
  buildAnomalyEvents,
  byFaultLogOrder,
  describeFile,
  JsonlWriter,
  sha256Text,
  writeJsonFile,
  writeNabLabels,
  writePreview,
  type ManifestFile,
  type PreviewSeries,
} from '../outputs/index.js'
import { checkWorkers, datasetParts, partsOfWorker } from './dataset-parts.js'
import { simulateDataset, type DatasetFormat, type SimulateJob, type SimulateResult } from './dataset-simulate.js'
import { simulateInWorkers } from './dataset-workers.js'
import { shardOf, shardStart } from './fleet.js'
import type { ResolvedFleet } from './load-fleet.js'
import { describeDevices, type PlannedFault } from './plan-fleet.js'

export type { DatasetFormat } from './dataset-simulate.js'
export { DEVICES_PER_PART, maxDatasetWorkers } from './dataset-parts.js'

export interface DatasetOptions {
  outDir: string
  format?: DatasetFormat
  seed?: number
  durationMs?: number
  shard?: { index: number; count: number }
  /**
   * Worker threads to simulate on (default 1: this thread). Each takes a contiguous range of telemetry
   * parts (a part is up to 100 devices), so at most one worker per part is used; the folder is the same,
   * byte for byte, whatever the number. At most 2 × the machine's cores.
   */
  workers?: number
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
  /** Worker threads used (the requested number, at most one per telemetry part). */
  workers: number
  files: ManifestFile[]
}

/** Without `start:` in the fleet file, datasets begin at this instant, so they are reproducible. */
export const DEFAULT_DATASET_START = Date.UTC(2026, 0, 1)

/**
 * The dataset mode of a fleet: the same devices, firmware machines and fault plan as a live run, on a
 * VirtualClock as fast as the CPU allows, with telemetry written as labelled rows instead of MQTT.
 * Labels come from the fault log: a row carries the ids of the faults active on its device (and
 * sensor) when it was sampled. Same fleet file + seed ⇒ byte-identical folder, with any `workers`.
 *
 * @example
 * const result = await runDataset(loadFleet('fleets/anomaly-week.fleet.yaml'), { outDir: 'data/week1', workers: 2 })
 */
export async function runDataset(resolved: ResolvedFleet, opts: DatasetOptions): Promise<DatasetResult> {
  const format = opts.format ?? 'parquet'
  const requested = checkWorkers(opts.workers ?? 1)
  const startEpoch = resolved.spec.start ? Date.parse(resolved.spec.start) : DEFAULT_DATASET_START
  const seed = opts.seed ?? resolved.spec.seed
  const durationMs = opts.durationMs ?? resolved.spec.duration
  const local = shardOf(resolved.devices, opts.shard)
  const parts = datasetParts(local.length, shardStart(resolved.devices.length, opts.shard))
  const workers = Math.min(requested, parts.length)
  const plan = planFaults(resolved.spec.faults, describeDevices(resolved), seed, durationMs)
  const chosen = opts.preview === false ? [] : choosePreviewSeries(resolved, plan, local)
  const jobOf = (jobParts: SimulateJob['parts']): SimulateJob => ({
    outDir: opts.outDir,
    format,
    seed: opts.seed,
    durationMs: opts.durationMs,
    startEpoch,
    parts: jobParts,
    exports: opts.exports !== false,
    preview: chosen,
  })
  const wallStart = monotonicMs()
  const hooks = {
    onProgress: (simulatedMs: number, rows: number) => opts.onProgress?.({ simulatedMs, durationMs, rows, wallMs: monotonicMs() - wallStart }),
    shouldStop: opts.shouldStop,
  }
  const results =
    workers <= 1
      ? [await simulateDataset(resolved, jobOf(parts), hooks)]
      : await simulateInWorkers(resolved, Array.from({ length: workers }, (_, w) => jobOf(partsOfWorker(parts, w, workers))), hooks)
  return finishDataset(resolved, opts, { format, seed, durationMs, startEpoch, devices: local.length, chosen, workers, wallStart }, results)
}

interface RunFacts {
  format: DatasetFormat
  seed: number
  durationMs: number
  startEpoch: number
  devices: number
  chosen: readonly { device: string; sensor: string }[]
  workers: number
  wallStart: number
}

/**
 * The files over all parts, written once: faults.jsonl, anomalies.jsonl, the NAB labels,
 * preview.html and manifest.json. Everything here is in an order that does not depend on how the
 * parts were split among workers.
 */
async function finishDataset(resolved: ResolvedFleet, opts: DatasetOptions, run: RunFacts, results: readonly SimulateResult[]): Promise<DatasetResult> {
  const { outDir } = opts
  const stopped = results.some((r) => r.stopped)
  // Complete up to the slowest worker's time (with one worker, or a complete run, its time).
  const simulated = Math.min(...results.map((r) => r.simulatedMs))
  const rows = results.reduce((n, r) => n + r.rows, 0)
  // The fault log in a canonical order (as records close, ties by start, fault, device): workers
  // each hold their devices' records, and how they interleave in one run is not theirs to know.
  const records = results.flatMap((r) => r.records).sort(byFaultLogOrder)
  const faultLog = new JsonlWriter(join(outDir, 'faults.jsonl'), 1024)
  for (const r of records) faultLog.write(r)
  faultLog.flush()
  const sensorsOf = new Map(shardOf(resolved.devices, opts.shard).map((d) => [d.id, Object.keys(d.profile.sensors)]))
  const anomalies = buildAnomalyEvents(records, (id) => sensorsOf.get(id) ?? [])
  const anomaliesFile = join(outDir, 'anomalies.jsonl')
  const anomalyWriter = new JsonlWriter(anomaliesFile, 1024)
  for (const a of anomalies) anomalyWriter.write(a)
  anomalyWriter.flush()
  const exported: { file: string; described?: ManifestFile }[] = results.flatMap((r) => r.exportFiles)
  if (opts.exports !== false) exported.push({ file: writeNabLabels(join(outDir, 'exports'), results.flatMap((r) => r.nabSeries), anomalies) })
  exported.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0))
  const previewFile = join(outDir, 'preview.html')
  if (opts.preview !== false) {
    const collected = new Map(results.flatMap((r) => r.preview).map((s) => [`${s.device}\u0000${s.sensor}`, s]))
    const series: PreviewSeries[] = run.chosen.map(({ device, sensor }) => collected.get(`${device}\u0000${sensor}`) ?? { device, sensor, points: [] })
    const shown = new Set(run.chosen.map((c) => c.device))
    writePreview(previewFile, {
      title: `${resolved.spec.name} — seed ${run.seed}`,
      series,
      windows: anomalies.flatMap((a) => a.devices.filter((d) => shown.has(d)).map((device) => ({ anomaly_id: a.anomaly_id, device, start_ms: a.start_ms, end_ms: a.end_ms, type: a.type, ...(Array.isArray(a.params.sensors) ? { sensor: (a.params.sensors as string[])[0] } : {}) }))),
    })
  }

  const files = [
    ...results.flatMap((r) => r.parts),
    await describeFile(outDir, anomaliesFile, anomalies.length),
    await describeFile(outDir, join(outDir, 'faults.jsonl'), records.length),
    ...(opts.preview !== false ? [await describeFile(outDir, previewFile)] : []),
  ]
  for (const e of exported) files.push(e.described ?? (await describeFile(outDir, e.file)))
  const status = stopped ? 'partial' : 'complete'
  writeJsonFile(join(outDir, 'manifest.json'), {
    kind: 'fleet-emu dataset',
    status,
    fleet: resolved.spec.name,
    fleetFile: { path: resolved.file.split('\\').join('/').split('/').pop(), sha256: sha256Text(readFileSync(resolved.file)) },
    seed: run.seed,
    start: new Date(run.startEpoch).toISOString(),
    durationMs: run.durationMs,
    simulatedMs: simulated,
    devices: run.devices,
    shard: opts.shard ? `${opts.shard.index}/${opts.shard.count}` : '0/1',
    format: run.format,
    versions: { 'fleet-emu': opts.version ?? 'dev' },
    rows,
    anomalies: anomalies.length,
    files,
  })
  return { outDir, status, rows, anomalies: anomalies.length, devices: run.devices, simulatedMs: simulated, wallMs: monotonicMs() - run.wallStart, workers: run.workers, files }
}

/**
 * The series preview.html plots: the first sensor of up to four devices hit by value faults (in plan
 * order), and one device no fault touches, for contrast. Only these are kept in memory.
 */
function choosePreviewSeries(resolved: ResolvedFleet, plan: readonly PlannedFault[], devices: ResolvedFleet['devices']): { device: string; sensor: string }[] {
  const local = new Set(devices.map((d) => d.id))
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
  const calm = devices.find((d) => local.has(d.id) && !touched.has(d.id))
  if (calm) picked.set(calm.id, Object.keys(calm.profile.sensors)[0]!)
  return [...picked].map(([device, sensor]) => ({ device, sensor }))
}
