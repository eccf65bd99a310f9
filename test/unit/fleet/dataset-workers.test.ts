import { createHash } from 'node:crypto'
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { checkWorkers, datasetParts, maxDatasetWorkers, partsOfWorker } from '../../../src/fleet/dataset-parts.js'
import { loadFleet, runDataset } from '../../../src/fleet/index.js'
import { expectFleetError } from '../../helpers/expect-fleet-error.js'

const made: string[] = []
const tmp = () => {
  const dir = mkdtempSync(join(tmpdir(), 'fleet-emu-dataset-workers-'))
  made.push(dir)
  return dir
}
afterAll(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true })
})

function hashes(dir: string): Record<string, string> {
  const out: Record<string, string> = {}
  for (const e of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (e.isFile()) out[relative(dir, join(e.parentPath, e.name))] = createHash('sha256').update(readFileSync(join(e.parentPath, e.name))).digest('hex')
  }
  return out
}

describe('dataset parts', () => {
  it('split the devices into contiguous parts of at most 100, whatever the workers', () => {
    expect(datasetParts(30)).toEqual([{ index: 0, from: 0, to: 30 }])
    expect(datasetParts(100)).toEqual([{ index: 0, from: 0, to: 100 }])
    expect(datasetParts(250)).toEqual([
      { index: 0, from: 0, to: 83 },
      { index: 1, from: 83, to: 166 },
      { index: 2, from: 166, to: 250 },
    ])
    // A shard's parts are ranges of fleet-wide indexes, starting at the shard's first device.
    expect(datasetParts(150, 300).map((p) => [p.from, p.to])).toEqual([[300, 375], [375, 450]])
    expect(datasetParts(100_000)).toHaveLength(64)
    expect(datasetParts(0)).toEqual([{ index: 0, from: 0, to: 0 }])
  })

  it('give every worker whole, contiguous parts, and every part to exactly one worker', () => {
    const parts = datasetParts(1_000)
    for (const workers of [1, 2, 3, 4, 7, 10]) {
      const shares = Array.from({ length: workers }, (_, w) => partsOfWorker(parts, w, workers))
      expect(shares.flat()).toEqual(parts)
      expect(Math.max(...shares.map((s) => s.length)) - Math.min(...shares.map((s) => s.length))).toBeLessThanOrEqual(1)
    }
  })

  it('refuse a worker count that is not a whole number in [1, 2 × cores]', () => {
    expect(checkWorkers(1)).toBe(1)
    expect(checkWorkers(maxDatasetWorkers())).toBe(maxDatasetWorkers())
    for (const bad of [0, -1, 1.5, Number.NaN, maxDatasetWorkers() + 1]) expectFleetError(() => checkWorkers(bad), 'FLEET_ERR_CORE_BAD_ARGUMENT', /workers must be/)
  })
})

describe('runDataset({ workers })', () => {
  it('gives the same folder with 2 workers as with 1, from the library too', async () => {
    const fleet = loadFleet('fleets/anomaly-week.fleet.yaml', { devices: 150 })
    const [one, two] = [tmp(), tmp()]
    const a = await runDataset(fleet, { outDir: one, format: 'csv', durationMs: 3_600_000, workers: 1 })
    const progress: number[] = []
    const b = await runDataset(fleet, { outDir: two, format: 'csv', durationMs: 3_600_000, workers: 2, onProgress: (p) => progress.push(p.simulatedMs) })
    expect([a.workers, b.workers]).toEqual([1, 2])
    expect(b.rows).toBe(a.rows)
    expect(hashes(two)).toEqual(hashes(one))
    expect(progress.at(-1)).toBe(3_600_000)
  }, 60_000)

  it('powers each device on at its fleet-wide place in the ramp: shards and workers add up to the single run', async () => {
    const fleet = loadFleet('test/fixtures/dataset/slow-ramp.fleet.yaml')
    const run = async (opts: { workers?: number; shard?: { index: number; count: number } }) => {
      const outDir = tmp()
      await runDataset(fleet, { outDir, format: 'csv', exports: false, preview: false, ...opts })
      return outDir
    }
    const lines = (dir: string) =>
      readdirSync(join(dir, 'telemetry'))
        .sort()
        .flatMap((f) => readFileSync(join(dir, 'telemetry', f), 'utf8').trimEnd().split('\n').slice(1))
    const whole = await run({ workers: 1 })
    const shards = [await run({ shard: { index: 0, count: 2 } }), await run({ shard: { index: 1, count: 2 } })]
    // Every device's rows, in order, are the same in the shards as in the single run.
    const byDevice = (dirs: string[]) => {
      const out = new Map<string, string[]>()
      for (const line of dirs.flatMap(lines)) {
        const device = line.split(',')[2]!
        ;(out.get(device) ?? out.set(device, []).get(device)!).push(line)
      }
      return out
    }
    const single = byDevice([whole])
    expect(single.size).toBe(210)
    expect(byDevice(shards)).toEqual(single)
    // Late devices really did start late: the last one's first row is ~10 s in.
    expect(single.get('lab-209')![0]!.slice(0, 19)).toBe('2026-01-01T00:00:10')
    expect(hashes(await run({ workers: 2 }))).toEqual(hashes(whole))
  }, 60_000)

  it('uses at most one worker per part', async () => {
    const r = await runDataset(loadFleet('test/fixtures/integration/virtual.fleet.yaml'), { outDir: tmp(), format: 'csv', durationMs: 60_000, workers: 2, exports: false, preview: false })
    expect(r.workers).toBe(1)
  })

  it('rejects a bad worker count before writing anything', async () => {
    const out = tmp()
    await expect(runDataset(loadFleet('test/fixtures/integration/virtual.fleet.yaml'), { outDir: out, workers: 0 })).rejects.toMatchObject({ code: 'FLEET_ERR_CORE_BAD_ARGUMENT' })
    expect(readdirSync(out)).toEqual([])
  })
})
