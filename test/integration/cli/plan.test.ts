import { describe, expect, it } from 'vitest'
import { cli } from './cli-helpers.js'

const FLEET = 'test/fixtures/plan/plan.fleet.yaml'

interface PlanJson {
  devices: number
  faults: { faultId: string; kind: string; startMs: number; endMs: number | null; devices: string[] }[]
  warnings: string[]
}

async function planJson(...args: string[]): Promise<PlanJson> {
  const run = cli(['plan', FLEET, '--json', ...args])
  expect((await run.exit).code).toBe(0)
  return JSON.parse(run.stdout()) as PlanJson
}

describe('fleet-emu plan', () => {
  it('prints devices, the ramp and the fault timeline of a fleet with 9 fault kinds, without starting anything', async () => {
    const run = cli(['plan', FLEET])
    expect((await run.exit).code).toBe(0)
    const out = run.stdout()
    expect(out).toContain('plan-demo: 60 devices, seed 9, duration 10m, broker embedded 127.0.0.1:1883')
    expect(out).toMatch(/^ {2}west +fast-sensor +30 +w-01 … w-30$/m)
    expect(out).toContain('Ramp: 100 devices/s — all 60 powered on by 600ms')
    expect(out).toContain('Fault timeline (11 occurrences)')
    expect(out).toMatch(/^ {2}1m +1m30s +outage +disconnect +6 +\S.*\(\+2\)$/m)
    expect(out).toMatch(/^ {2}9m {5}self {4}blips#3 +flap +\d+ /m)
    expect(out).toContain('! loss-at-9m30s is cut short: it would end at 10m30s')
    const kinds = new Set([...out.matchAll(/^ {2}\S+ +\S+ +\S+ +(\S+) +\d+ /gm)].map((m) => m[1]))
    expect(kinds.size).toBeGreaterThanOrEqual(9)
  })

  it('targets exactly what the selectors say, and the same seed gives the same plan', async () => {
    const plan = await planJson()
    const by = (id: string) => plan.faults.find((f) => f.faultId === id)!
    expect(plan.faults.map((f) => f.faultId)).toEqual([
      'outage',
      'telemetry.spike-at-1m30s',
      'latency-at-2m',
      'telemetry.stuck-at-3m',
      'battery-drain-at-4m',
      'regional-outage-at-5m',
      'broker-restart-at-7m',
      'blips#1',
      'blips#2',
      'blips#3',
      'loss-at-9m30s',
    ])
    expect(by('outage').devices).toHaveLength(6) // 10% of 60
    expect(by('latency-at-2m').devices).toEqual(Array.from({ length: 20 }, (_, i) => `e-${String(i + 1).padStart(2, '0')}`))
    expect(by('regional-outage-at-5m').devices).toEqual(Array.from({ length: 30 }, (_, i) => `w-${String(i + 1).padStart(2, '0')}`))
    // Only devices that have the faulted sensor, or a battery.
    expect(by('telemetry.spike-at-1m30s').devices.every((id) => !id.startsWith('m-'))).toBe(true)
    expect(by('telemetry.stuck-at-3m').devices.every((id) => id.startsWith('m-'))).toBe(true)
    expect(by('battery-drain-at-4m').devices.every((id) => !id.startsWith('m-'))).toBe(true)
    expect(by('broker-restart-at-7m').devices).toHaveLength(60)
    // A repeated fault: three occurrences 30 s apart, each re-drawn with probability 0.5 inside `west`.
    const blips = ['blips#1', 'blips#2', 'blips#3'].map(by)
    expect(blips.map((b) => b.startMs)).toEqual([480_000, 510_000, 540_000])
    for (const b of blips) {
      expect(b.devices.every((id) => id.startsWith('w-'))).toBe(true)
      expect(b.devices.length).toBeGreaterThan(5)
      expect(b.devices.length).toBeLessThan(25)
    }
    expect(blips[0]!.devices).not.toEqual(blips[1]!.devices)
    expect(by('loss-at-9m30s').endMs).toBe(630_000)

    expect(await planJson()).toEqual(plan)
    const other = await planJson('--seed', '10')
    expect(other.faults.map((f) => f.devices)).not.toEqual(plan.faults.map((f) => f.devices))
  })

  it('warns when broker faults cannot run against an external broker', async () => {
    const plan = await planJson('--broker-url', 'mqtt://127.0.0.1:1')
    expect(plan.warnings).toContain('broker-restart-at-7m (broker-restart) needs the embedded broker and will be skipped with mqtt://127.0.0.1:1')
  })
})
