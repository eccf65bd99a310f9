import { existsSync, readFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { cli, tmp, waitForOutput } from './cli-helpers.js'

const FAST = 'test/fixtures/integration/fast.fleet.yaml'
const FAULTS = 'test/fixtures/integration/fast-faults.fleet.yaml'
const GATED = 'test/fixtures/integration/thresholds.fleet.yaml'

describe('fleet-emu run', () => {
  it('runs for --duration, exits 0 and writes summary.json and faults.jsonl', async () => {
    const out = tmp('run')
    const run = cli(['run', FAULTS, '--duration', '1500ms', '--broker-port', '0', '--no-metrics', '--out', out, '--json'])
    const { code } = await run.exit
    expect(run.stderr()).not.toMatch(/\n\s+at /)
    expect(code).toBe(0)
    const printed = JSON.parse(run.stdout()) as { status: string; devices: number; outDir: string }
    expect(printed).toMatchObject({ status: 'complete', devices: 20, outDir: out })
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as { status: string; partial: boolean; connects: { outcomes: Record<string, number> } }
    expect(summary.status).toBe('complete')
    expect(summary.partial).toBe(false)
    expect(summary.connects.outcomes.success).toBeGreaterThanOrEqual(16)
    const records = readFileSync(join(out, 'faults.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { fault_id: string; truncated: boolean })
    expect(records.filter((r) => r.fault_id === 'outage')).toHaveLength(4)
    expect(records.filter((r) => r.fault_id === 'frozen')).toHaveLength(2)
    expect(records.every((r) => r.truncated)).toBe(true)
    // TCP links keep the broker in a thread of its own unless told otherwise.
    // …and records the heap tuning it ran with (the defaults here), so reports compare from the JSON alone.
    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as { run: { links: string; threads: string; heap: string } }
    expect(report.run).toMatchObject({ links: 'tcp', threads: 'devices on the main thread; broker in its own thread', heap: '--heap-growth v8 --heap-compaction auto' })
  })

  for (const [flag, threads] of [
    ['--no-broker-thread', 'devices on the main thread, with the broker'],
    ['--broker-thread', 'devices on the main thread; broker in its own thread'],
  ] as const) {
    it(`${flag} with memory links: the run is complete and the report says where the broker ran`, async () => {
      const out = tmp(`run${flag}`)
      const run = cli(['run', FAULTS, '--duration', '1500ms', '--links', 'memory', flag, '--heap-growth', 'auto:50', '--heap-compaction', 'always', '--broker-port', '0', '--no-metrics', '--out', out, '--no-progress'], {
        NODE_OPTIONS: '--max-semi-space-size=8',
      })
      const { code } = await run.exit
      expect(run.stderr()).not.toMatch(/\n\s+at /)
      expect(code).toBe(0)
      const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as { run: { status: string; links: string; threads: string; heap: string; nodeFlags: string }; slis: { messages_delivered: number } }
      // The Node flags too: the command line's (tsx's loader here), then NODE_OPTIONS'.
      expect(report.run).toMatchObject({ status: 'complete', links: 'memory', threads, heap: '--heap-growth auto:50 --heap-compaction always', nodeFlags: '--import tsx --max-semi-space-size=8' })
      expect(report.slis.messages_delivered).toBeGreaterThan(0)
      expect(readFileSync(join(out, 'report.html'), 'utf8')).toContain(`<dt>threads</dt><dd>${threads}</dd>`)
    })
  }

  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    it(`on ${signal}: devices disconnect, outputs are flushed and marked partial, exit 130`, async () => {
      const out = tmp(signal.toLowerCase())
      const run = cli(['run', FAULTS, '--broker-port', '0', '--no-metrics', '--out', out, '--no-progress'])
      await waitForOutput(run, /fleet-emu: fast-faults/)
      await new Promise((r) => setTimeout(r, 700)) // both faults have started
      run.child.kill(signal)
      const { code } = await run.exit
      expect(code).toBe(130)
      expect(run.stderr()).toContain(signal)
      expect(run.stderr()).not.toMatch(/\n\s+at /)
      const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as { status: string; partial: boolean; finalStates: { connectivity: Record<string, number> } }
      expect(summary).toMatchObject({ status: 'interrupted', partial: true })
      expect(summary.finalStates.connectivity).toEqual({ stopped: 20 })
      const logged = readFileSync(join(out, 'faults.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { truncated: boolean; end_ms: number; start_ms: number; root_cause_id: string | null })
      // The faults themselves; their propagated effects are logged beside them with a root cause.
      const records = logged.filter((r) => r.root_cause_id === null)
      expect(records).toHaveLength(6)
      for (const r of records) {
        expect(r.truncated).toBe(true)
        expect(r.end_ms).toBeGreaterThan(r.start_ms)
      }
      expect(run.stdout()).toContain('interrupted')
      // The soak report is written for a run cut short too, and says so.
      const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as { run: { status: string; partial: boolean }; timeline: { points: unknown[] } }
      expect(report.run).toMatchObject({ status: 'interrupted', partial: true })
      expect(report.timeline.points.length).toBeGreaterThan(0)
      expect(readFileSync(join(out, 'report.html'), 'utf8')).toMatch(/partial/i)
    })
  }

  it('thresholds that hold: exit 0, each one listed as ok; report.json has the verdicts', async () => {
    const out = tmp('gate-pass')
    const run = cli(['run', GATED, '--broker-port', '0', '--no-metrics', '--out', out, '--no-progress'])
    const { code } = await run.exit
    expect(run.stderr()).not.toMatch(/\n\s+at /)
    expect(code).toBe(0)
    expect(run.stdout()).toMatch(/thresholds\s+all passed/)
    expect(run.stdout()).toMatch(/ok\s+reconnect_p95 < 10s: no reconnects/)
    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as { verdict: string; thresholds: { sli: string; pass: boolean }[] }
    expect(report.verdict).toBe('pass')
    expect(report.thresholds.map((t) => [t.sli, t.pass])).toEqual([
      ['connect_success_rate', true],
      ['unexplained_loss', true],
      ['online_at_end_rate', true],
      ['messages_delivered', true],
      ['reconnect_p95', true],
    ])
  })

  it('a breached threshold: the run completes, prints which one failed and exits 3', async () => {
    const out = tmp('gate-fail')
    // 300 ms is too short for 100 deliveries from 20 devices at 200 ms. Whether every device is
    // online by then depends on the machine's load, so only the delivery threshold is pinned.
    const run = cli(['run', GATED, '--duration', '300ms', '--broker-port', '0', '--no-metrics', '--out', out, '--no-progress'])
    const { code } = await run.exit
    expect(run.stderr()).not.toMatch(/\n\s+at /)
    expect(code).toBe(3)
    expect(run.stdout()).toMatch(/[1-5] of 5 FAILED/)
    expect(run.stdout()).toMatch(/FAIL messages_delivered >= 100: \d+ < 100/)
    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as { verdict: string; run: { status: string } }
    expect(report).toMatchObject({ verdict: 'fail', run: { status: 'complete' } })
    expect(existsSync(join(out, 'report.html'))).toBe(true)
  })

  it('exits 2 on an invalid flag value, with a message and no stack trace', async () => {
    const run = cli(['run', FAST, '--duration', 'soon', '--no-metrics', '--broker-port', '0', '--out', tmp('bad')])
    const { code } = await run.exit
    expect(code).toBe(2)
    expect(run.stderr()).toContain('not a duration: "soon"')
    expect(run.stderr()).toContain('FLEET_ERR_CORE_BAD_DURATION')
    expect(run.stderr()).not.toMatch(/\n\s+at /)
  })

  it('exits 2 on a speed factor that is not a positive number', async () => {
    for (const speed of ['0', 'fast']) {
      const run = cli(['run', FAST, '--speed', speed, '--no-metrics', '--broker-port', '0'])
      expect((await run.exit).code).toBe(2)
      expect(run.stderr()).toContain(`expected a number > 0, got "${speed}"`)
      expect(run.stderr()).not.toContain('internal error')
    }
  })

  it('exits 2 on a heap setting it does not know, saying what it takes', async () => {
    for (const [flag, value, expected] of [
      ['--heap-compaction', 'sometimes', 'expected auto, always or v8, got "sometimes"'],
      ['--heap-growth', 'auto:lots', 'expected auto, auto:N, v8 or a whole percent N of 1–1000'],
    ] as const) {
      const run = cli(['run', FAST, flag, value, '--no-metrics', '--broker-port', '0'])
      expect((await run.exit).code).toBe(2)
      expect(run.stderr()).toContain(expected)
      expect(run.stderr()).not.toMatch(/\n\s+at /)
    }
  })

  it('exits 2 on an unknown option', async () => {
    const run = cli(['run', FAST, '--devcies', '3'])
    expect((await run.exit).code).toBe(2)
    expect(run.stderr()).toMatch(/unknown option '--devcies'/)
  })

  it('exits 1 when the embedded broker cannot listen, with a hint', async () => {
    const blocker = createServer()
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()))
    const port = (blocker.address() as { port: number }).port
    try {
      const out = tmp('port')
      const run = cli(['run', FAST, '--broker-port', String(port), '--no-metrics', '--out', out])
      const { code } = await run.exit
      expect(code).toBe(1)
      expect(run.stderr()).toContain(`cannot listen on 127.0.0.1:${port}`)
      expect(run.stderr()).toContain('FLEET_ERR_BROKER_LISTEN')
      expect(run.stderr()).toContain('hint:')
      expect(existsSync(join(out, 'summary.json'))).toBe(false)
    } finally {
      blocker.close()
    }
  })

  it('exits 1 when the external broker is unreachable, before starting any device', async () => {
    const closed = createServer()
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', () => r()))
    const port = (closed.address() as { port: number }).port
    await new Promise<void>((r) => closed.close(() => r()))
    const run = cli(['run', FAST, '--broker-url', `mqtt://127.0.0.1:${port}`, '--no-metrics', '--out', tmp('unreachable')])
    const { code } = await run.exit
    expect(code).toBe(1)
    expect(run.stderr()).toContain(`broker mqtt://127.0.0.1:${port} is not reachable`)
    expect(run.stderr()).toContain('FLEET_ERR_BROKER_UNREACHABLE')
    expect(run.stderr()).not.toMatch(/\n\s+at /)
  })
})
