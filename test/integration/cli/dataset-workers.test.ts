import { createHash } from 'node:crypto'
import { readdirSync, readFileSync, rmSync } from 'node:fs'
import { join, relative } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { cli, tmp as makeTmp, waitForOutput } from './cli-helpers.js'

// The datasets here are tens of MB each: removed at the end.
const made: string[] = []
const tmp = (prefix: string) => {
  const dir = makeTmp(prefix)
  made.push(dir)
  return dir
}
afterAll(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true })
})

/** sha256 of every file under `dir`, by relative path. */
function hashes(dir: string): Record<string, string> {
  const out: Record<string, string> = {}
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue
    const file = join(entry.parentPath, entry.name)
    out[relative(dir, file)] = createHash('sha256').update(readFileSync(file)).digest('hex')
  }
  return out
}

// 250 devices: three telemetry parts (a part per ≤ 100 devices), so two workers split them 1 + 2.
const FLEET = ['fleets/anomaly-week.fleet.yaml', '--devices', '250', '--duration', '3h']

describe('fleet-emu dataset --workers', () => {
  it('writes the same folder, byte for byte, with 2 workers as with 1 (every format)', async () => {
    const root = tmp('dataset-workers')
    for (const format of ['csv', 'parquet', 'jsonl']) {
      const runs = [1, 2].map((workers) => cli(['dataset', ...FLEET, '--format', format, '--workers', String(workers), '--out', join(root, `${format}-${workers}`), '--json']))
      const exits = await Promise.all(runs.map((r) => r.exit))
      expect(exits.map((e) => e.code), runs.map((r) => r.stderr()).join('\n')).toEqual([0, 0])
      const results = runs.map((r) => JSON.parse(r.stdout()) as { workers: number; rows: number; status: string })
      expect(results.map((r) => r.workers)).toEqual([1, 2])
      const [one, two] = [hashes(join(root, `${format}-1`)), hashes(join(root, `${format}-2`))]
      expect(Object.keys(one).filter((f) => f.startsWith('telemetry/')).sort()).toEqual([0, 1, 2].map((p) => `telemetry/part-0000${p}.${format}`))
      expect(Object.keys(one).length).toBeGreaterThan(750) // exports: 250 devices × (NAB + TimeEval CSV + columns)
      expect(two, format).toEqual(one)
    }
  }, 120_000)

  it.each([['0'], ['-1'], ['1.5'], ['two'], ['100000']])('refuses --workers %s (exit 2, with what it expects)', async (value) => {
    const run = cli(['dataset', 'test/fixtures/integration/virtual.fleet.yaml', '--workers', value, '--out', join(tmp('dataset-workers-bad'), 'out')])
    expect((await run.exit).code).toBe(2)
    expect(run.stderr()).toMatch(/--workers <n>.*invalid.*expected (a whole number ≥ 1|at most \d+)/)
  })

  it('on SIGINT with 2 workers: both stop, every file is valid, the manifest says partial; exit 130', async () => {
    const out = join(tmp('dataset-workers-int'), 'run')
    const run = cli(['dataset', 'fleets/anomaly-week.fleet.yaml', '--devices', '200', '--duration', '60d', '--format', 'csv', '--no-exports', '--workers', '2', '--out', out])
    await waitForOutput(run, /rows\/s/, 30_000)
    run.child.kill('SIGINT')
    expect((await run.exit).code).toBe(130)
    const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as { status: string; rows: number; simulatedMs: number; durationMs: number; files: { path: string; rows?: number; sha256: string }[] }
    expect(manifest.status).toBe('partial')
    expect(manifest.simulatedMs).toBeLessThan(manifest.durationMs)
    const parts = manifest.files.filter((f) => f.path.startsWith('telemetry/'))
    expect(parts.map((p) => p.path)).toEqual(['telemetry/part-00000.csv', 'telemetry/part-00001.csv'])
    let rows = 0
    for (const p of parts) {
      const csv = readFileSync(join(out, p.path), 'utf8')
      expect(csv.endsWith('\n')).toBe(true)
      expect(csv.trimEnd().split('\n').length - 1).toBe(p.rows)
      expect(createHash('sha256').update(csv).digest('hex')).toBe(p.sha256)
      rows += p.rows!
    }
    expect(rows).toBe(manifest.rows)
    // Every worker stopped at or past the simulated time the manifest vouches for.
    const lastTs = parts.map((p) => Date.parse(readFileSync(join(out, p.path), 'utf8').trimEnd().split('\n').pop()!.split(',')[0]!))
    const start = Date.parse('2026-03-02T00:00:00Z')
    for (const ts of lastTs) expect(ts - start).toBeGreaterThanOrEqual(manifest.simulatedMs - 120_000)
  }, 60_000)
})
