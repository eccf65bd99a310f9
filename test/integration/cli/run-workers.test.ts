import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { cli, tmp, waitForOutput } from './cli-helpers.js'

const FAULTS = 'test/fixtures/integration/fast-faults.fleet.yaml'

describe('fleet-emu run --workers', () => {
  it.each([
    ['--broker-thread', 'broker in its own thread'],
    ['--no-broker-thread', 'broker on the main thread'],
  ])('on SIGTERM with device workers (%s): the shards stop their devices, outputs are flushed and marked partial, exit 130', async (brokerFlag, broker) => {
    const out = tmp('workers-sigterm')
    const run = cli(['run', FAULTS, '--workers', '2', brokerFlag, '--broker-port', '0', '--no-metrics', '--out', out, '--no-progress'])
    await waitForOutput(run, /20 devices in 2 worker threads/)
    await new Promise((r) => setTimeout(r, 1_000)) // both faults have started
    run.child.kill('SIGTERM')
    const { code } = await run.exit
    expect(run.stderr()).not.toMatch(/\n\s+at /)
    expect(code).toBe(130)
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as { status: string; partial: boolean; finalStates: { connectivity: Record<string, number> } }
    expect(summary).toMatchObject({ status: 'interrupted', partial: true })
    expect(summary.finalStates.connectivity).toEqual({ stopped: 20 })
    const records = readFileSync(join(out, 'faults.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { fault_id: string; truncated: boolean; root_cause_id: string | null })
    const own = records.filter((r) => r.root_cause_id === null)
    expect(own.filter((r) => r.fault_id === 'outage')).toHaveLength(4)
    expect(own.filter((r) => r.fault_id === 'frozen')).toHaveLength(2)
    expect(own.every((r) => r.truncated)).toBe(true)
    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as { run: { status: string; partial: boolean; links: string; threads: string; heap: string } }
    // Two heaps or more: the heap factor after the ramp defaults to 1.5× (resolveHeapGrowth).
    expect(report.run).toMatchObject({ status: 'interrupted', partial: true, links: 'memory', threads: `devices in 2 worker threads; ${broker}`, heap: '--heap-growth auto:50 --heap-compaction auto' })
  })

  it('device workers with an external broker: exit 2 with what to do instead', async () => {
    const run = cli(['run', FAULTS, '--workers', '2', '--broker-url', 'mqtt://127.0.0.1:1', '--no-metrics', '--out', tmp('workers-ext')])
    const { code } = await run.exit
    expect(code).toBe(2)
    expect(run.stderr()).toMatch(/--workers 2 needs the embedded broker.*--workers 0/)
    expect(run.stderr()).not.toMatch(/\n\s+at /)
  })

  it('rejects a bad --workers value', async () => {
    const run = cli(['run', FAULTS, '--workers', 'many', '--no-metrics'])
    const { code } = await run.exit
    expect(code).toBe(2)
    expect(run.stderr()).toMatch(/expected auto or a whole number/)
  })
})
