import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { cli, tmp, waitForOutput } from './cli-helpers.js'

describe('fleet-emu dataset', () => {
  it('writes a labelled dataset folder and prints a summary', async () => {
    const out = join(tmp('dataset'), 'run1')
    const run = cli(['dataset', 'test/fixtures/integration/virtual.fleet.yaml', '--out', out, '--duration', '5m', '--format', 'jsonl', '--json'])
    expect((await run.exit).code).toBe(0)
    const result = JSON.parse(run.stdout()) as { status: string; rows: number; anomalies: number }
    // Three planned faults, and the link dropout the disconnect causes (an effect with its root cause).
    expect(result).toMatchObject({ status: 'complete', anomalies: 4 })
    const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as { status: string; rows: number; format: string }
    expect(manifest).toMatchObject({ status: 'complete', rows: result.rows, format: 'jsonl' })
    const first = JSON.parse(readFileSync(join(out, 'telemetry/part-00000.jsonl'), 'utf8').split('\n')[0]!) as Record<string, unknown>
    expect(Object.keys(first)).toEqual(['ts', 'ts_device', 'device_id', 'profile', 'sensor', 'value', 'value_clean', 'is_anomaly', 'anomaly_ids', 'seq', 'connectivity', 'battery', 'firmware_version'])
  })

  it('on SIGINT: the files written so far are valid and the manifest says partial; exit 130', async () => {
    const out = join(tmp('dataset-int'), 'run')
    const run = cli(['dataset', 'fleets/quickstart.fleet.yaml', '--out', out, '--duration', '30d', '--devices', '50', '--format', 'csv', '--no-exports'])
    await waitForOutput(run, /rows\/s|rows/, 20_000)
    run.child.kill('SIGINT')
    expect((await run.exit).code).toBe(130)
    const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as { status: string; rows: number; simulatedMs: number; durationMs: number }
    expect(manifest.status).toBe('partial')
    expect(manifest.simulatedMs).toBeLessThan(manifest.durationMs)
    const csv = readFileSync(join(out, 'telemetry/part-00000.csv'), 'utf8')
    expect(csv.endsWith('\n')).toBe(true)
    expect(csv.trimEnd().split('\n').length - 1).toBe(manifest.rows)
  })

  it('refuses to write into a folder that has files (exit 2)', async () => {
    const out = tmp('dataset-exists')
    writeFileSync(join(out, 'keep.txt'), 'mine')
    const run = cli(['dataset', 'test/fixtures/integration/virtual.fleet.yaml', '--out', out])
    expect((await run.exit).code).toBe(2)
    expect(run.stderr()).toContain('FLEET_ERR_OUTPUT_EXISTS')
  })

  it('dataset merge joins shard folders (exit 0) and reports a missing shard as invalid input (exit 2)', async () => {
    const root = tmp('dataset-merge')
    const shard = (k: number) => cli(['dataset', 'test/fixtures/integration/virtual.fleet.yaml', '--shard', `${k}/2`, '--duration', '2m', '--format', 'csv', '--no-exports', '--no-preview', '--no-progress', '--out', join(root, `s${k}`)])
    for (const k of [0, 1]) expect((await shard(k).exit).code).toBe(0)
    const merge = cli(['dataset', 'merge', join(root, 's0'), join(root, 's1'), '--out', join(root, 'all'), '--json'])
    expect((await merge.exit).code).toBe(0)
    expect(JSON.parse(merge.stdout())).toMatchObject({ status: 'complete', shards: 2 })
    const manifest = JSON.parse(readFileSync(join(root, 'all', 'manifest.json'), 'utf8')) as { files: { path: string }[] }
    expect(manifest.files.map((f) => f.path)).toContain('../s1/telemetry/part-00000.csv')
    const missing = cli(['dataset', 'merge', join(root, 's1'), '--out', join(root, 'one')])
    expect((await missing.exit).code).toBe(2)
    expect(missing.stderr()).toContain('missing shard 0/2')
    expect(missing.stderr()).not.toMatch(/\n\s+at /) // no stack trace
  })
})
