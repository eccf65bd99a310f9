import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { Counter } from 'prom-client'
import { describe, expect, it, vi } from 'vitest'
import { FleetMetrics } from '../../../src/observability/fleet-metrics.js'

/** The fleet's own metrics (docs/metrics.md): name → type. */
const FLEET_METRICS = {
  fleet_devices: 'gauge',
  fleet_connects_total: 'counter',
  fleet_disconnects_total: 'counter',
  fleet_messages_published_total: 'counter',
  fleet_published_bytes_total: 'counter',
  fleet_messages_dropped_offline_total: 'counter',
  fleet_fault_activations_total: 'counter',
  fleet_faults_active: 'gauge',
  fleet_commands_total: 'counter',
  fleet_message_latency_seconds: 'histogram',
  fleet_connect_duration_seconds: 'histogram',
  fleet_reconnect_duration_seconds: 'histogram',
  fleet_messages_delivered_total: 'counter',
  fleet_message_duplicates_total: 'counter',
  fleet_messages_reordered_total: 'counter',
  fleet_messages_in_flight: 'gauge',
}

const DEVICE_LABELS = /^(device|device_?id|id|client_?id|clientid)$/i

/** Sample lines of the text exposition (no comments). */
const samples = (text: string) => text.split('\n').filter((l) => l !== '' && !l.startsWith('#'))

describe('FleetMetrics', () => {
  it('registers exactly the fleet metrics, with their types', async () => {
    const m = new FleetMetrics({ scenario: 's', defaultMetrics: false })
    const json = await m.registry.getMetricsAsJSON()
    expect(Object.fromEntries(json.map((x) => [x.name, x.type]))).toEqual(FLEET_METRICS)
  })

  it('follows the naming rules: fleet_ prefix, snake_case, counters (only) end in _total', () => {
    const m = new FleetMetrics({ scenario: 's', defaultMetrics: false })
    for (const metric of m.registry.getMetricsAsArray()) {
      const { name } = metric as unknown as { name: string }
      expect(name).toMatch(/^fleet_[a-z0-9_]+$/)
      if (metric instanceof Counter) expect(name).toMatch(/_total$/)
      else expect(name).not.toMatch(/_total$/)
    }
  })

  it('labels by profile, state, outcome, reason, kind, command, status and explained — never by device id', () => {
    const m = new FleetMetrics({ scenario: 's', defaultMetrics: false })
    const labels = Object.fromEntries(
      m.registry.getMetricsAsArray().map((metric) => {
        const x = metric as unknown as { name: string; labelNames: string[] }
        return [x.name, [...x.labelNames].sort()]
      }),
    )
    expect(labels).toEqual({
      fleet_devices: ['profile', 'state'],
      fleet_connects_total: ['outcome', 'profile'],
      fleet_disconnects_total: ['profile', 'reason'],
      fleet_messages_published_total: ['profile'],
      fleet_published_bytes_total: ['profile'],
      fleet_messages_dropped_offline_total: ['profile'],
      fleet_fault_activations_total: ['kind'],
      fleet_faults_active: ['kind'],
      fleet_commands_total: ['command', 'profile', 'status'],
      fleet_message_latency_seconds: ['profile'],
      fleet_connect_duration_seconds: ['profile'],
      fleet_reconnect_duration_seconds: ['kind', 'profile'],
      fleet_messages_delivered_total: [],
      fleet_message_duplicates_total: ['explained'],
      fleet_messages_reordered_total: ['explained'],
      fleet_messages_in_flight: [],
    })
    for (const names of Object.values(labels)) for (const n of names) expect(n).not.toMatch(DEVICE_LABELS)
  })

  it('puts the scenario on every sample as a default label', async () => {
    const m = new FleetMetrics({ scenario: 'soak-7', defaultMetrics: false })
    m.connects.inc({ profile: 'th', outcome: 'success' }, 3)
    m.devices.set({ profile: 'th', state: 'online' }, 12)
    m.faultActivations.inc({ kind: 'disconnect' })
    const text = await m.text()
    expect(text).toContain('fleet_connects_total{profile="th",outcome="success",scenario="soak-7"} 3')
    expect(text).toContain('fleet_devices{profile="th",state="online",scenario="soak-7"} 12')
    const lines = samples(text)
    expect(lines.length).toBeGreaterThanOrEqual(3)
    for (const line of lines) expect(line).toContain('scenario="soak-7"')
  })

  it('with default metrics on, the process metrics are prefixed too and carry no device labels', async () => {
    const m = new FleetMetrics({ scenario: 's' })
    const json = await m.registry.getMetricsAsJSON()
    expect(json.length).toBeGreaterThan(Object.keys(FLEET_METRICS).length)
    for (const metric of json) {
      expect(metric.name).toMatch(/^fleet_/)
      for (const v of metric.values) for (const k of Object.keys(v.labels)) expect(k).not.toMatch(DEVICE_LABELS)
    }
    expect(json.map((x) => x.name)).toEqual(expect.arrayContaining(['fleet_process_cpu_user_seconds_total', 'fleet_process_resident_memory_bytes']))
  })

  it('calls collect on each scrape (so the device gauge is fresh)', async () => {
    const collect = vi.fn()
    const m = new FleetMetrics({ scenario: 's', defaultMetrics: false, collect })
    await m.text()
    await m.text()
    expect(collect).toHaveBeenCalledTimes(2)
  })

  it('has one registry per fleet: two fleets in one process count separately', async () => {
    const a = new FleetMetrics({ scenario: 'a', defaultMetrics: false })
    const b = new FleetMetrics({ scenario: 'b', defaultMetrics: false })
    a.messages.inc({ profile: 'p' }, 5)
    b.messages.inc({ profile: 'p' }, 2)
    expect(await a.text()).toContain('fleet_messages_published_total{profile="p",scenario="a"} 5')
    expect(await b.text()).toContain('fleet_messages_published_total{profile="p",scenario="b"} 2')
    expect(await a.text()).not.toContain('scenario="b"')
  })

  it('serves the process metrics with each fleet’s scenario label, and holds no fleet once it is dropped', async () => {
    const a = new FleetMetrics({ scenario: 'a' })
    const b = new FleetMetrics({ scenario: 'b' })
    expect(await a.text()).toMatch(/^fleet_process_resident_memory_bytes\{scenario="a"\} \d+/m)
    expect(await b.text()).toMatch(/^fleet_process_resident_memory_bytes\{scenario="b"\} \d+/m)
    // prom-client's default metrics keep a GC observer for good: were they made per fleet, that observer
    // would keep each fleet (its collect callback, devices and all) alive after it stopped.
    let fleetState: { devices: number[] } | undefined = { devices: new Array(1000).fill(1) }
    const held = new WeakRef(fleetState)
    const scoped = () => {
      const state = fleetState!
      const m = new FleetMetrics({ scenario: 'c', collect: () => void state.devices.length })
      return m.text()
    }
    await scoped()
    fleetState = undefined
    await new Promise((resolve) => setImmediate(resolve))
    setFlagsFromString('--expose-gc')
    ;(runInNewContext('gc') as () => void)()
    expect(held.deref()).toBeUndefined()
  })
})
