import { propagation, trace } from '@opentelemetry/api'
import { W3CTraceContextPropagator } from '@opentelemetry/core'
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base'
import mqtt from 'mqtt'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startFleet } from '../../src/index.js'
import { startMosquitto } from './mosquitto.js'

/**
 * OpenTelemetry, as an application would set it up: a tracer provider and the W3C propagator
 * registered globally. The fleet's spans (run, device sessions, faults) must arrive, and a backend
 * reading MQTT 5 telemetry must find the session's trace context in the user properties. The broker
 * is Debian's mosquitto: MQTT 5 needs a broker that speaks it (aedes speaks 3.1.1).
 */
describe('OpenTelemetry spans and trace context in MQTT 5 user properties', () => {
  const exporter = new InMemorySpanExporter()
  beforeAll(() => {
    trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }))
    propagation.setGlobalPropagator(new W3CTraceContextPropagator())
  })
  afterAll(() => {
    trace.disable()
    propagation.disable()
  })

  it('run, session and fault spans; telemetry carries its session’s traceparent', async () => {
    const mosquitto = await startMosquitto()
    const fleet = await startFleet('test/fixtures/integration/mqtt5.fleet.yaml', { brokerUrl: mosquitto.url, metricsPort: false })
    const backend = await mqtt.connectAsync(fleet.brokerUrl, { protocolVersion: 5, clientId: 'backend' })
    const seen: { device: string; traceparent: string | undefined }[] = []
    backend.on('message', (topic, _payload, packet) => {
      const tp = packet.properties?.userProperties?.traceparent
      seen.push({ device: topic.split('/')[1]!, traceparent: Array.isArray(tp) ? tp[0] : tp })
    })
    await backend.subscribeAsync('devices/+/telemetry', { qos: 1 })
    await fleet.waitFor((f) => f.count({ connectivity: 'online' }) === 4, { timeoutMs: 10_000 })
    // Every device has published in its first session before the fault cuts one of them.
    await fleet.waitFor(() => new Set(seen.map((m) => m.device)).size === 4, { timeoutMs: 5_000 })
    const { deviceIds } = fleet.inject({ kind: 'disconnect', target: { count: 1 }, durationMs: 300 })
    await fleet.waitFor(() => seen.length >= 20 && fleet.faultLog.filter((r) => r.root_cause_id === null).length === 1 && fleet.count({ connectivity: 'online' }) === 4, { timeoutMs: 10_000 })
    const before = seen.length
    await fleet.waitFor(() => seen.slice(before).some((m) => m.device === deviceIds[0]), { timeoutMs: 5_000 }) // its second session
    await backend.endAsync()
    await fleet.stop()
    await mosquitto.stop()

    const spans = exporter.getFinishedSpans()
    const run = spans.filter((s) => s.name === 'fleet.run')
    expect(run).toHaveLength(1)
    const traceId = run[0]!.spanContext().traceId
    const sessions = spans.filter((s) => s.name === 'mqtt session')
    // One session per device, plus a second for the device the fault knocked off.
    expect(sessions).toHaveLength(5)
    for (const s of sessions) {
      expect(s.spanContext().traceId).toBe(traceId)
      expect(s.attributes['messaging.system']).toBe('mqtt')
      expect(s.attributes['network.protocol.version']).toBe('5.0')
    }
    const knocked = sessions.filter((s) => s.attributes['messaging.client.id'] === deviceIds[0])
    expect(knocked.map((s) => s.status.code)).toContain(2) // ERROR: ended by the fault
    const fault = spans.filter((s) => s.name === 'fault disconnect')
    expect(fault).toHaveLength(1)
    expect(fault[0]!.attributes['fleet_emu.fault.kind']).toBe('disconnect')

    // Every telemetry message names a session span of its own device.
    const bySpanId = new Map(sessions.map((s) => [s.spanContext().spanId, s.attributes['messaging.client.id']]))
    expect(seen.length).toBeGreaterThanOrEqual(20)
    for (const m of seen) {
      const [, tid, sid] = /^00-([0-9a-f]{32})-([0-9a-f]{16})-0[01]$/.exec(m.traceparent ?? '') ?? []
      expect(tid).toBe(traceId)
      expect(bySpanId.get(sid!)).toBe(m.device)
    }
    const knockedSessions = new Set(seen.filter((m) => m.device === deviceIds[0]).map((m) => m.traceparent))
    expect(knockedSessions.size).toBe(2)
  })
})
