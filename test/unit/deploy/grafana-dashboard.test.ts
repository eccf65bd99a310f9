import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { FleetMetrics } from '../../../src/observability/index.js'

const FILE = 'deploy/grafana/fleet-emu.dashboard.json'
const dashboard = JSON.parse(readFileSync(FILE, 'utf8')) as { panels: { type: string; title: string; targets?: { expr: string }[] }[] }
const exprs = dashboard.panels.flatMap((p) => (p.targets ?? []).map((t) => ({ panel: p.title, expr: t.expr })))

describe('Grafana dashboard (deploy/grafana)', () => {
  it('is what scripts/gen-grafana.ts generates (run `npx tsx scripts/gen-grafana.ts` after editing it)', () => {
    const generated = execFileSync('npx', ['tsx', 'scripts/gen-grafana.ts', '--print'], { encoding: 'utf8' })
    expect(readFileSync(FILE, 'utf8')).toBe(generated)
  })

  it('queries only metrics fleet-emu serves, each filtered by the scenario variable', async () => {
    const m = new FleetMetrics({ scenario: 's' })
    const served = new Set<string>()
    for (const x of await m.registry.getMetricsAsJSON()) {
      served.add(x.name)
      if (String(x.type) === 'histogram') for (const suffix of ['_bucket', '_sum', '_count']) served.add(x.name + suffix)
    }
    expect(exprs.length).toBeGreaterThan(15)
    for (const { panel, expr } of exprs) {
      const names = expr.match(/\bfleet_[a-z0-9_]+/g) ?? []
      expect(names.length, panel).toBeGreaterThan(0)
      for (const name of names) expect(served.has(name), `${panel}: ${name}`).toBe(true)
      expect(expr, panel).toContain('scenario=~"$scenario"')
    }
  })

  it('covers the soak SLIs: devices, latency, loss accounting, reconnects, memory, event-loop lag', () => {
    const all = exprs.map((e) => e.expr).join('\n')
    for (const name of ['fleet_devices', 'fleet_message_latency_seconds_bucket', 'fleet_messages_delivered_total', 'fleet_messages_in_flight', 'fleet_message_duplicates_total', 'fleet_reconnect_duration_seconds_bucket', 'fleet_process_resident_memory_bytes', 'fleet_nodejs_eventloop_lag_p99_seconds']) {
      expect(all).toContain(name)
    }
  })
})
