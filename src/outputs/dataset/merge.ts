import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join, relative, resolve } from 'node:path'
import { errors } from '../../core/index.js'
import { writeJsonFile } from '../jsonl-writer.js'
import { byFaultLogOrder, type AnomalyEvent, type FaultLogLine } from './anomalies.js'
import { describeFile, sha256Text, type ManifestFile } from './manifest.js'

/** The manifest fields a merge reads (docs/datasets.md, "Manifest"). */
interface ShardManifest {
  kind: string
  status: 'complete' | 'partial'
  fleet: string
  fleetFile: { path: string; sha256: string }
  seed: number
  start: string
  durationMs: number
  simulatedMs: number
  devices: number
  shard: string
  format: string
  versions: Record<string, string>
  rows: number
  anomalies: number
  files: ManifestFile[]
}

export interface MergeResult {
  outDir: string
  status: 'complete' | 'partial'
  shards: number
  devices: number
  rows: number
  anomalies: number
}

/** Fields every shard of one dataset must agree on. */
const SAME = ['fleet', 'seed', 'start', 'durationMs', 'format'] as const

/**
 * `fleet-emu dataset merge`: one manifest over the N shard folders of a dataset, beside merged
 * anomalies.jsonl and faults.jsonl that equal the single run's, byte for byte. The shards' telemetry
 * stays where it is: the merged manifest lists every shard's files with paths relative to the merged
 * folder (and their sha256, checked here unless `verify` is false). Every problem with the shards is
 * reported at once, as invalid input.
 */
export async function mergeDatasetShards(shardDirs: readonly string[], outDir: string, opts: { verify?: boolean } = {}): Promise<MergeResult> {
  if (existsSync(outDir) && readdirSync(outDir).length > 0) throw errors.outputExists(outDir)
  const problems: string[] = []
  const shards: { dir: string; manifest: ShardManifest; k: number; n: number }[] = []
  for (const dir of shardDirs) {
    const file = join(dir, 'manifest.json')
    let manifest: ShardManifest
    try {
      manifest = JSON.parse(readFileSync(file, 'utf8')) as ShardManifest
    } catch (e) {
      problems.push(`${file}: ${existsSync(file) ? 'not valid JSON' : 'missing'}${e instanceof SyntaxError ? ` (${e.message})` : ''}`)
      continue
    }
    const m = /^(\d+)\/(\d+)$/.exec(String(manifest.shard))
    if (manifest.kind !== 'fleet-emu dataset' || !m) {
      problems.push(`${file}: not a fleet-emu dataset manifest (kind ${JSON.stringify(manifest.kind)}, shard ${JSON.stringify(manifest.shard)})`)
      continue
    }
    shards.push({ dir, manifest, k: Number(m[1]), n: Number(m[2]) })
  }
  const first = shards[0]
  if (first) {
    for (const s of shards.slice(1)) {
      for (const f of SAME) if (s.manifest[f] !== first.manifest[f]) problems.push(`${join(s.dir, 'manifest.json')}: ${f} is ${JSON.stringify(s.manifest[f])}, but ${JSON.stringify(first.manifest[f])} in ${first.dir}`)
      if (s.manifest.fleetFile?.sha256 !== first.manifest.fleetFile?.sha256) problems.push(`${join(s.dir, 'manifest.json')}: made from another version of the fleet file than ${first.dir} (fleetFile.sha256 differs)`)
      if (s.n !== first.n) problems.push(`${join(s.dir, 'manifest.json')}: shard ${s.manifest.shard} is of ${s.n}, ${first.dir} is of ${first.n}`)
    }
    const seen = new Map<number, string>()
    for (const s of shards) {
      const other = seen.get(s.k)
      if (other !== undefined) problems.push(`${s.dir}: shard ${s.k}/${s.n} again (also ${other})`)
      seen.set(s.k, s.dir)
    }
    const missing = Array.from({ length: first.n }, (_, k) => k).filter((k) => !seen.has(k))
    if (missing.length > 0) problems.push(`missing shard${missing.length > 1 ? 's' : ''} ${missing.map((k) => `${k}/${first.n}`).join(', ')}: pass every shard folder of the dataset`)
  }
  if (opts.verify !== false && problems.length === 0) {
    for (const s of shards) {
      for (const f of s.manifest.files) {
        const path = join(s.dir, f.path)
        if (!existsSync(path)) problems.push(`${path}: listed in the manifest but missing`)
        else if ((await describeFile(s.dir, path)).sha256 !== f.sha256) problems.push(`${path}: sha256 differs from the manifest (changed since it was written)`)
      }
    }
  }
  if (problems.length > 0 || !first) {
    const list = problems.length > 0 ? problems : ['no shard folders given']
    throw errors.badArgument(`cannot merge the dataset shards:\n  ${list.join('\n  ')}`, 'run `fleet-emu dataset --shard k/N` for every k with the same fleet file and seed, then merge all N folders')
  }
  shards.sort((a, b) => a.k - b.k)

  mkdirSync(outDir, { recursive: true })
  const anomalies = mergeAnomalies(shards.map((s) => readJsonl<AnomalyEvent>(join(s.dir, 'anomalies.jsonl'))))
  writeFileSync(join(outDir, 'anomalies.jsonl'), anomalies.map((a) => JSON.stringify(a) + '\n').join(''))
  const records = shards.flatMap((s) => readJsonl<FaultLogLine>(join(s.dir, 'faults.jsonl'))).sort(byFaultLogOrder)
  writeFileSync(join(outDir, 'faults.jsonl'), records.map((r) => JSON.stringify(r) + '\n').join(''))

  const at = (s: (typeof shards)[number]) => relative(resolve(outDir), resolve(s.dir)).split('\\').join('/')
  const status = shards.every((s) => s.manifest.status === 'complete') ? 'complete' : 'partial'
  const rows = shards.reduce((n, s) => n + s.manifest.rows, 0)
  const devices = shards.reduce((n, s) => n + s.manifest.devices, 0)
  const m = first.manifest
  writeJsonFile(join(outDir, 'manifest.json'), {
    kind: 'fleet-emu dataset',
    status,
    fleet: m.fleet,
    fleetFile: m.fleetFile,
    seed: m.seed,
    start: m.start,
    durationMs: m.durationMs,
    // Complete up to the shard that got least far (all of them, for complete shards).
    simulatedMs: Math.min(...shards.map((s) => s.manifest.simulatedMs)),
    devices,
    shard: `0/1`,
    format: m.format,
    versions: m.versions,
    rows,
    anomalies: anomalies.length,
    mergedFrom: shards.map((s) => ({ path: at(s), shard: s.manifest.shard, status: s.manifest.status, devices: s.manifest.devices, rows: s.manifest.rows, manifestSha256: sha256Text(readFileSync(join(s.dir, 'manifest.json'))) })),
    files: [
      // The shards' telemetry in shard order (the single run's device order), then the merged labels.
      ...shards.flatMap((s) => s.manifest.files.filter((f) => f.path.startsWith('telemetry/')).map((f) => ({ ...f, path: `${at(s)}/${f.path}` }))),
      await describeFile(outDir, join(outDir, 'anomalies.jsonl'), anomalies.length),
      await describeFile(outDir, join(outDir, 'faults.jsonl'), records.length),
    ],
  })
  return { outDir, status, shards: shards.length, devices, rows, anomalies: anomalies.length }
}

/**
 * One event per anomaly id over all shards: each shard lists the devices (and so the sensors) it
 * holds, so the union of those, the earliest start and the latest end make the single run's event.
 */
export function mergeAnomalies(perShard: readonly (readonly AnomalyEvent[])[]): AnomalyEvent[] {
  const byId = new Map<string, AnomalyEvent>()
  for (const events of perShard) {
    for (const e of events) {
      const had = byId.get(e.anomaly_id)
      if (!had) {
        byId.set(e.anomaly_id, { ...e, devices: [...e.devices], sensors: [...e.sensors] })
        continue
      }
      had.devices = [...new Set([...had.devices, ...e.devices])].sort()
      had.sensors = [...new Set([...had.sensors, ...e.sensors])].sort()
      if (e.start_ms < had.start_ms) Object.assign(had, { start_ms: e.start_ms, start: e.start })
      if (e.end_ms > had.end_ms) Object.assign(had, { end_ms: e.end_ms, end: e.end })
      had.truncated ||= e.truncated
    }
  }
  return [...byId.values()].sort((a, b) => a.start_ms - b.start_ms || (a.anomaly_id < b.anomaly_id ? -1 : 1))
}

function readJsonl<T>(file: string): T[] {
  if (!existsSync(file)) return []
  const rows: T[] = []
  readFileSync(file, 'utf8')
    .split('\n')
    .forEach((line, i) => {
      if (line.length === 0) return
      try {
        rows.push(JSON.parse(line) as T)
      } catch {
        throw errors.badArgument(`cannot merge the dataset shards:\n  ${file}:${i + 1}: not a JSON line`, 'the shard was changed after it was written: make it again, or merge without --no-verify to find such files')
      }
    })
  return rows
}
