import { join, relative } from 'node:path'
import { VirtualClock } from '../core/index.js'
import type { Sample, VirtualDevice } from '../device/index.js'
import { planFaults, type FaultRecord } from '../faults/index.js'
import {
  createCsvWriter,
  createDatasetExports,
  createJsonlWriter,
  createParquetWriter,
  describeFile,
  type ManifestFile,
  type NabSeries,
  type PreviewSeries,
  type RowExport,
  type SampleRowWriter,
  type SampleRows,
} from '../outputs/index.js'
import { inProcessLinkFactory } from '../transport/index.js'
import type { DatasetPart } from './dataset-parts.js'
import { Fleet } from './fleet.js'
import type { ResolvedFleet } from './load-fleet.js'
import { describeDevices } from './plan-fleet.js'

export type DatasetFormat = 'parquet' | 'csv' | 'jsonl'

/** What one simulation writes: whole telemetry parts (a contiguous range of devices) of a dataset. */
export interface SimulateJob {
  outDir: string
  format: DatasetFormat
  seed?: number
  durationMs?: number
  /** Virtual time at the run's start, epoch ms. */
  startEpoch: number
  /** The parts to write, contiguous, in order. */
  parts: readonly DatasetPart[]
  /** Write this range's NAB and TimeEval data files. */
  exports: boolean
  /** Series to keep for preview.html (those of devices outside the range are ignored). */
  preview: readonly { device: string; sensor: string }[]
}

export interface SimulateHooks {
  /** After each chunk of simulated time. */
  onProgress?: (simulatedMs: number, rows: number) => void
  /** Checked between chunks; true stops the run (the files are closed, the result is partial). */
  shouldStop?: () => boolean
}

export interface SimulateResult {
  stopped: boolean
  simulatedMs: number
  rows: number
  /** One per part, in part order (path relative to outDir, size, sha256, rows). */
  parts: ManifestFile[]
  /** The export data files written (sha256 and all), sorted by absolute path. */
  exportFiles: { file: string; described: ManifestFile }[]
  nabSeries: NabSeries[]
  /** The fault log of this range's devices. */
  records: FaultRecord[]
  preview: PreviewSeries[]
}

const WRITERS: Record<DatasetFormat, { ext: string; create: (file: string) => SampleRowWriter }> = {
  parquet: { ext: 'parquet', create: (file) => createParquetWriter(file) },
  csv: { ext: 'csv', create: createCsvWriter },
  jsonl: { ext: 'jsonl', create: createJsonlWriter },
}

export function partFile(outDir: string, format: DatasetFormat, index: number): string {
  return join(outDir, 'telemetry', `part-${String(index).padStart(5, '0')}.${WRITERS[format].ext}`)
}

/** What the per-sample path needs of a device, looked up once. */
interface DeviceOut {
  profile: string
  /** Its sensors in profile order (the order of a sample's values). */
  sensors: readonly string[]
  preview: Map<string, PreviewSeries> | undefined
}

/** One telemetry part being simulated: its own clock, and a fleet of only its devices. */
interface PartRun {
  clock: VirtualClock
  fleet: Fleet
  writer: SampleRowWriter
}

/**
 * Runs the devices of `job.parts` (the whole fleet's fault plan, only these devices) in virtual time
 * as fast as the CPU allows, writing their telemetry parts and export files. Labels come from the
 * fault log: a row carries the ids of the faults active on its device (and sensor) when it was sampled.
 * This is the whole dataset run on one worker, or one worker's share of it.
 *
 * Each part (≤ 100 devices) runs as its own fleet on its own VirtualClock, and the parts take turns a
 * stretch of simulated time at a time. A device's run does not depend on the devices beside it (the
 * fault plan is the whole fleet's; a part's devices power on when they would in the whole fleet), so
 * the files are the same as from one fleet of all the devices — workers rely on the same property —
 * and the CPU works on 100 devices' state at a time, which stays in its caches: with 1,000 devices
 * interleaved sample by sample, the same samples took ~3× as long.
 */
export async function simulateDataset(resolved: ResolvedFleet, job: SimulateJob, hooks: SimulateHooks = {}): Promise<SimulateResult> {
  const first = job.parts[0]!
  const last = job.parts[job.parts.length - 1]!
  const indexOf = new Map(resolved.devices.map((d, i) => [d.id, i]))
  const sensorsOf = (id: string) => Object.keys(resolved.devices[indexOf.get(id)!]!.profile.sensors)
  const exportsOut: RowExport | undefined = job.exports ? createDatasetExports(join(job.outDir, 'exports'), { sensorsOf }) : undefined
  const preview = new Map<string, Map<string, PreviewSeries>>()
  for (const { device, sensor } of job.preview) {
    const i = indexOf.get(device)
    if (i === undefined || i < first.from || i >= last.to) continue
    ;(preview.get(device) ?? preview.set(device, new Map()).get(device)!).set(sensor, { device, sensor, points: [] })
  }

  // One plan for all the parts (it is the whole fleet's, and drawing it per part costs ~10 ms each).
  const seed = job.seed ?? resolved.spec.seed
  const plan = planFaults(resolved.spec.faults, describeDevices(resolved), seed, job.durationMs ?? resolved.spec.duration)
  let rows = 0
  // One reused SampleRows: writers consume it synchronously (no per-row objects on the hot path).
  const out: SampleRows = { ts: 0, ts_device: 0, device_id: '', profile: '', seq: 0, connectivity: '', battery: null, firmware_version: '', count: 0, sensors: [], values: [], clean: [], anomalyIds: [] }

  const startPart = async (part: DatasetPart): Promise<PartRun> => {
    const clock = new VirtualClock({ epochMs: job.startEpoch })
    const writer = WRITERS[job.format].create(partFile(job.outDir, job.format, part.index))
    const devices = new Map<VirtualDevice, DeviceOut>()
    const deviceOut = (device: VirtualDevice): DeviceOut => {
      const d: DeviceOut = { profile: device.identity.profile.name, sensors: Object.keys(device.identity.profile.sensors), preview: preview.get(device.id) }
      devices.set(device, d)
      return d
    }
    const onSample = (device: VirtualDevice, sample: Sample, seq: number, tsDevice: number, messageFaultIds: readonly string[]) => {
      const d = devices.get(device) ?? deviceOut(device)
      const active = fleet.activeFaultsOn(device.id)
      const battery = device.batteryPercent
      out.ts = sample.ts
      out.ts_device = tsDevice
      out.device_id = device.id
      out.profile = d.profile
      out.seq = seq
      out.connectivity = device.currentStates.connectivity
      out.battery = battery === undefined ? null : Math.round(battery * 10) / 10
      out.firmware_version = device.firmwareVersion
      const sensors = d.sensors
      const n = sensors.length
      const labelled = active.size > 0 || messageFaultIds.length > 0
      for (let i = 0; i < n; i++) {
        const sensor = sensors[i]!
        let ids = ''
        const touched = sample.faultIds[sensor]
        if (labelled || touched) {
          // Faults active on the device (the log's windows), plus those the device itself recorded on
          // this sample: a fault that ends inside the sample that it changed (the last of a spike's N
          // samples) has already left the active set.
          const hit = new Set<string>(touched)
          for (const id of messageFaultIds) hit.add(id)
          for (const [faultId, f] of active) {
            const named = f.params.sensors
            if (!Array.isArray(named) || named.includes(sensor)) hit.add(faultId)
          }
          ids = [...hit].sort().join(';')
        }
        out.sensors[i] = sensor
        out.values[i] = sample.values[sensor] ?? null
        out.clean[i] = sample.clean[sensor]!
        out.anomalyIds[i] = ids
      }
      out.count = n
      rows += n
      writer.writeSample(out)
      exportsOut?.writeSample(out)
      if (d.preview) for (let i = 0; i < n; i++) d.preview.get(sensors[i]!)?.points.push([out.ts, out.values[i]!, out.clean[i]!])
    }
    // Rows come from the samples (onSample), so nothing reads what devices publish: a sink that drops
    // it, and devices that do not build it.
    const linkFactory = inProcessLinkFactory(clock, () => {}, { readsPayloads: false })
    const fleet: Fleet = new Fleet(resolved, {
      clock,
      seed: job.seed,
      durationMs: job.durationMs,
      transport: 'in-process',
      linkFactory,
      metricsPort: false,
      deviceRange: { from: part.from, to: part.to },
      plan,
      onSample,
    })
    await fleet.start()
    return { clock, fleet, writer }
  }

  const runs: PartRun[] = []
  for (const part of job.parts) runs.push(await startPart(part))
  const durationMs = runs[0]!.fleet.durationMs
  // Stretches of simulated time between progress reports, signal checks and backpressure waits; each
  // part runs a whole stretch before the next takes its turn (long enough to keep its devices' state
  // in the CPU's caches, short enough to report progress and stop within a second or so).
  const chunk = Math.max(60_000, Math.min(3_600_000, Math.ceil(durationMs / 200)))
  let simulated = 0
  let stopped = false
  while (simulated < durationMs) {
    simulated = Math.min(durationMs, simulated + chunk)
    for (const r of runs) r.clock.runUntil(job.startEpoch + simulated)
    hooks.onProgress?.(simulated, rows)
    // Let signals, messages and I/O in between chunks, and wait for the disk when it is slower than we are.
    await new Promise((resolve) => setImmediate(resolve))
    for (const r of runs) await r.writer.drained?.()
    if (hooks.shouldStop?.()) {
      stopped = true
      break
    }
  }
  const records: FaultRecord[] = []
  for (const r of runs) {
    await r.fleet.stop({ reason: stopped ? 'interrupted' : 'complete' })
    records.push(...r.fleet.faultLog)
  }
  // Writers hash what they write: the manifest's sha256 without reading the files again.
  const described = (file: string, bytes: number, sha256: string, rows?: number): ManifestFile => ({ path: relative(job.outDir, file).split('\\').join('/'), bytes, sha256, ...(rows === undefined ? {} : { rows }) })
  const parts: ManifestFile[] = []
  for (const { writer } of runs) {
    const written = await writer.close()
    parts.push(written.sha256 === undefined || written.bytes === undefined ? await describeFile(job.outDir, written.file, written.rows) : described(written.file, written.bytes, written.sha256, written.rows))
  }
  const exported = exportsOut?.closeData()
  const exportFiles = (exported?.files ?? []).map((f) => ({ file: f.file, described: described(f.file, f.bytes, f.sha256) }))
  return {
    stopped,
    simulatedMs: simulated,
    rows,
    parts,
    exportFiles,
    nabSeries: exported?.nabSeries ?? [],
    records,
    preview: [...preview.values()].flatMap((m) => [...m.values()]),
  }
}
