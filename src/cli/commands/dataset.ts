import { existsSync, readdirSync } from 'node:fs'
import type { Command } from 'commander'
import { InvalidArgumentError } from 'commander'
import { errors, formatDuration, parseDuration } from '../../core/index.js'
import { loadFleet, maxDatasetWorkers, runDataset, type DatasetFormat, type DatasetProgress } from '../../fleet/index.js'
import { mergeDatasetShards } from '../../outputs/index.js'
import { fleetOptions } from '../args.js'
import { EXIT } from '../exit-codes.js'
import { DatasetProgressLine } from '../dataset-progress.js'

interface DatasetFlags {
  out?: string
  format: DatasetFormat
  seed?: number
  devices?: number
  duration?: string
  shard?: { index: number; count: number }
  workers: number
  json?: boolean
  progress: boolean
  exports: boolean
  preview: boolean
}

function shardArg(value: string): { index: number; count: number } {
  const m = /^(\d+)\/(\d+)$/.exec(value)
  const index = Number(m?.[1])
  const count = Number(m?.[2])
  if (!m || count < 1 || index >= count) throw new InvalidArgumentError(`expected k/N with 0 ≤ k < N, got "${value}"`)
  return { index, count }
}

function workersArg(value: string): number {
  const n = Number(value)
  const max = maxDatasetWorkers()
  if (!/^\d+$/.test(value.trim()) || !Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`expected a whole number ≥ 1 (one worker thread per core), got "${value}"`)
  if (n > max) throw new InvalidArgumentError(`expected at most ${max} (twice this machine's ${max / 2} cores), got "${value}"`)
  return n
}

function formatArg(value: string): DatasetFormat {
  if (value !== 'parquet' && value !== 'csv' && value !== 'jsonl') throw new InvalidArgumentError(`expected parquet, csv or jsonl, got "${value}"`)
  return value
}

export function registerDataset(program: Command, setExit: (code: number) => void): void {
  fleetOptions(
    program
      .command('dataset')
      .description('simulate a fleet in virtual time and write labelled telemetry (no sockets, as fast as the CPU allows)')
      .argument('<fleet>', 'fleet file (fleets/*.fleet.yaml)'),
    'simulate this long instead (e.g. 7d)',
  )
    .option('--out <dir>', 'output folder, new or empty (default data/<fleet>-seed<seed>/)')
    .option('--format <format>', 'telemetry file format: parquet, csv or jsonl', formatArg, 'parquet')
    .option('--shard <k/N>', 'write only shard k of N (devices ⌊kD/N⌋…⌊(k+1)D/N⌋−1)', shardArg)
    .option('--workers <n>', 'simulate on n worker threads, one core each (at most one per telemetry part of 100 devices); the output is the same', workersArg, 1)
    .option('--json', 'print the result as JSON')
    .option('--no-progress', 'no progress line')
    .option('--no-exports', 'skip exports/nab and exports/timeeval')
    .option('--no-preview', 'skip preview.html')
    .action(async (file: string, flags: DatasetFlags) => setExit(await datasetCommand(file, flags)))

  // Both levels positional: the root hands `dataset` its words unparsed, and `dataset` leaves
  // what follows `merge` to merge (its own --out is not merge's).
  program.enablePositionalOptions()
  const dataset = program.commands.find((c) => c.name() === 'dataset')!
  dataset
    .enablePositionalOptions()
    .command('merge')
    .description('one manifest (and merged anomalies.jsonl, faults.jsonl) over the N shard folders of a dataset made with --shard k/N')
    .argument('<shards...>', 'every shard folder of the dataset')
    .requiredOption('--out <dir>', 'folder for the merged manifest, new or empty; it lists the shards’ telemetry files in place')
    .option('--no-verify', 'skip checking every shard file against its manifest sha256')
    .option('--json', 'print the result as JSON')
    .action(async (shards: string[], flags: { out: string; verify: boolean; json?: boolean }) => {
      const r = await mergeDatasetShards(shards, flags.out, { verify: flags.verify })
      if (flags.json) process.stdout.write(JSON.stringify(r, null, 2) + '\n')
      else process.stdout.write(`fleet-emu dataset merge: ${r.status} — ${r.shards} shards, ${r.devices} devices, ${r.rows} rows, ${r.anomalies} anomalies\n  folder     ${r.outDir}/ (manifest.json, anomalies.jsonl, faults.jsonl)\n`)
      setExit(EXIT.ok) // a merge of partial shards is done; its manifest says partial
    })
}

async function datasetCommand(file: string, flags: DatasetFlags): Promise<number> {
  const fleet = loadFleet(file, { devices: flags.devices })
  const seed = flags.seed ?? fleet.spec.seed
  const outDir = flags.out ?? `data/${fleet.spec.name}-seed${seed}${flags.shard ? `-shard${flags.shard.index}of${flags.shard.count}` : ''}`
  if (existsSync(outDir) && readdirSync(outDir).length > 0) throw errors.outputExists(outDir)
  let interrupted = false
  const onSignal = (signal: NodeJS.Signals) => {
    if (interrupted) process.exit(EXIT.interrupted)
    interrupted = true
    process.stderr.write(`\nfleet-emu: ${signal} — finishing the files written so far; the manifest will say partial\n`)
  }
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)
  const progress = flags.progress && !flags.json ? new DatasetProgressLine() : undefined
  try {
    const result = await runDataset(fleet, {
      outDir,
      format: flags.format,
      seed,
      durationMs: flags.duration === undefined ? undefined : parseDuration(flags.duration),
      shard: flags.shard,
      workers: flags.workers,
      onProgress: (p: DatasetProgress) => progress?.update(p),
      shouldStop: () => interrupted,
      version: '0.1.0',
      exports: flags.exports,
      preview: flags.preview,
    })
    progress?.done()
    if (flags.json) process.stdout.write(JSON.stringify(result, null, 2) + '\n')
    else {
      const rate = result.wallMs > 0 ? Math.round((result.rows * 1000) / result.wallMs) : 0
      process.stdout.write(
        `fleet-emu dataset ${fleet.spec.name}: ${result.status} — ${result.devices} devices, ${formatDuration(result.simulatedMs)} simulated in ${formatDuration(result.wallMs)}${result.workers > 1 ? ` on ${result.workers} workers` : ''}\n` +
          `  rows       ${result.rows} (${rate}/s)\n  anomalies  ${result.anomalies}\n  folder     ${outDir}/ (manifest.json, telemetry/, anomalies.jsonl, faults.jsonl, exports/, preview.html)\n`,
      )
    }
    return result.status === 'partial' ? EXIT.interrupted : EXIT.ok
  } finally {
    progress?.done()
    process.off('SIGINT', onSignal)
    process.off('SIGTERM', onSignal)
  }
}
