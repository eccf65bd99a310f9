/** Reading dataset folders back in tests (CSV telemetry, JSONL labels), and a run of the all-kinds fixture. */
import { createHash } from 'node:crypto'
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { loadFleet, runDataset } from '../../../src/fleet/index.js'

/** Every fault kind that runs without a broker, every propagated effect, a rate-scheduled fault. */
export const ALL_KINDS_FLEET = 'test/fixtures/dataset/all-kinds.fleet.yaml'

export const tmp = () => mkdtempSync(join(tmpdir(), 'fleet-emu-dataset-'))
export const sha = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex')

export interface Row {
  ts: number
  device: string
  sensor: string
  value: string
  clean: string
  isAnomaly: boolean
  ids: string[]
  seq: number
  connectivity: string
  firmware: string
  line: string
}

/** Every telemetry row of a CSV dataset folder, parts in order. */
export function readRows(dir: string): Row[] {
  const parts = readdirSync(join(dir, 'telemetry')).filter((f) => f.endsWith('.csv')).sort()
  return parts.flatMap((part) => {
    const [, ...lines] = readFileSync(join(dir, 'telemetry', part), 'utf8').trimEnd().split('\n')
    return lines.map((line) => {
      const c = line.split(',')
      return { ts: Date.parse(c[0]!), device: c[2]!, sensor: c[4]!, value: c[5]!, clean: c[6]!, isAnomaly: c[7] === 'true', ids: c[8] ? c[8].split(';') : [], seq: Number(c[9]), connectivity: c[10]!, firmware: c[12]!, line }
    })
  })
}

export const readJsonl = <T>(file: string): T[] => readFileSync(file, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as T)

/** The all-kinds fixture as CSV, the whole fleet or shard k/N. */
export async function allKindsDataset(seed: number, shard?: { index: number; count: number }) {
  const dir = tmp()
  const result = await runDataset(loadFleet(ALL_KINDS_FLEET), { outDir: dir, seed, shard, format: 'csv' })
  return { dir, result }
}
