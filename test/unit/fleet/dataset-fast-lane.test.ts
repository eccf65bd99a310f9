import { describe, expect, it } from 'vitest'
import { VirtualClock } from '../../../src/core/index.js'
import { Fleet, loadFleet } from '../../../src/fleet/index.js'
import { inProcessLinkFactory } from '../../../src/transport/index.js'
import { ALL_KINDS_FLEET } from './dataset-helpers.js'

/**
 * Datasets' devices skip building telemetry messages while their link would drop them unread
 * (VirtualDevice's fast lane). Everything a dataset reads — every sample, its seq and device time, its
 * fault ids, the battery, the states, the counts — must be what the full path (messages encoded and
 * handed to the sink) gives, across every fault kind of the all-kinds fixture.
 */
async function run(readsPayloads: boolean) {
  const resolved = loadFleet(ALL_KINDS_FLEET)
  const clock = new VirtualClock({ epochMs: Date.UTC(2026, 0, 1) })
  let telemetryAtSink = 0
  const sink = (_id: string, topic: string) => {
    if (topic.endsWith('/telemetry') || topic.includes('/DDATA/')) telemetryAtSink++
  }
  const samples: unknown[] = []
  const fleet: Fleet = new Fleet(resolved, {
    clock,
    transport: 'in-process',
    linkFactory: inProcessLinkFactory(clock, sink, { readsPayloads }),
    metricsPort: false,
    onSample: (device, sample, seq, tsDevice, messageFaultIds) =>
      samples.push([device.id, seq, sample.ts, tsDevice, { ...sample.values }, { ...sample.clean }, sample.faultIds, [...messageFaultIds], device.batteryPercent, device.currentStates, device.firmwareVersion]),
  })
  await fleet.start()
  clock.runUntil(clock.now() + fleet.durationMs)
  const summary = await fleet.stop({ reason: 'complete' })
  return { samples, faultLog: [...fleet.faultLog], messages: summary.messages, finalStates: summary.finalStates, telemetryAtSink }
}

describe('the dataset fast lane', () => {
  it('gives the samples, labels, battery, states and counts of the full publish path', async () => {
    const full = await run(true)
    const fast = await run(false)
    expect(full.samples.length).toBeGreaterThan(1000)
    expect(fast.samples).toEqual(full.samples)
    expect(fast.faultLog).toEqual(full.faultLog)
    // Bytes differ by design: unread payloads are not encoded (DeviceLink.readsPayloads).
    expect({ ...fast.messages, bytes: 0 }).toEqual({ ...full.messages, bytes: 0 })
    expect(fast.finalStates).toEqual(full.finalStates)
    // The full path hands every published telemetry message to the sink; the fast lane only those
    // it cannot skip (held or shaped by a network fault).
    expect(full.telemetryAtSink).toBeGreaterThan(0.9 * full.messages.published)
    expect(fast.telemetryAtSink).toBeLessThan(0.2 * full.messages.published)
  })

  it('writes each sample over the last, while lastSample stays a snapshot of its own', async () => {
    const resolved = loadFleet(ALL_KINDS_FLEET)
    const clock = new VirtualClock({ epochMs: Date.UTC(2026, 0, 1) })
    const seen = new Map<string, { objects: Set<object>; samples: number }>()
    const fleet: Fleet = new Fleet(resolved, {
      clock,
      transport: 'in-process',
      linkFactory: inProcessLinkFactory(clock, () => {}, { readsPayloads: false }),
      metricsPort: false,
      onSample: (device, sample) => {
        const s = seen.get(device.id) ?? seen.set(device.id, { objects: new Set(), samples: 0 }).get(device.id)!
        s.objects.add(sample)
        s.samples++
      },
    })
    await fleet.start()
    clock.runUntil(clock.now() + fleet.durationMs / 2)
    const id = [...seen.keys()][0]!
    const kept = fleet.device(id)!.lastTelemetry!
    const keptValues = JSON.stringify(kept)
    clock.runUntil(clock.now() + fleet.durationMs / 2)
    expect(JSON.stringify(kept)).toBe(keptValues)
    const later = fleet.device(id)!.lastTelemetry!
    expect(later.ts).toBeGreaterThan(kept.ts)
    expect(later.values).not.toEqual(kept.values)
    // Most samples are one object per device, written over (faulty and slow-lane ones are their own).
    const total = [...seen.values()].reduce((n, s) => n + s.samples, 0)
    const objects = [...seen.values()].reduce((n, s) => n + s.objects.size, 0)
    expect(total).toBeGreaterThan(1000)
    expect(objects).toBeLessThan(0.5 * total)
    await fleet.stop({ reason: 'complete' })
  })
})
