import { context, propagation, SpanKind, SpanStatusCode, trace, type Span } from '@opentelemetry/api'
import { FLEET_EMU_VERSION } from '../core/index.js'

/**
 * OpenTelemetry spans for a run (docs/metrics.md#traces), through `@opentelemetry/api` only: with no
 * SDK registered every call is a no-op, so tracing costs nothing until an application installs one.
 *
 * - `fleet.run` — the whole run.
 * - `mqtt session` — one per device connection (online → offline), a child of the run, with the
 *   messaging semantic-convention attributes (messaging.system = mqtt, messaging.client.id…).
 * - `fault <kind>` — one per fault occurrence, a child of the run.
 *
 * A session's context is injected (W3C `traceparent`, with the globally registered propagator) into
 * the MQTT 5 user properties of the telemetry it publishes, so a backend can join the trace.
 */
export class FleetTracing {
  private readonly tracer = trace.getTracer('fleet-emu', FLEET_EMU_VERSION)
  private run: Span | undefined
  private readonly sessions = new Map<string, { span: Span; carrier: Record<string, string> | undefined }>()
  private readonly faults = new Map<string, { span: Span; parts: number; devices: number }>()

  startRun(attributes: { fleet: string; seed: number; devices: number; brokerUrl: string }): void {
    this.run = this.tracer.startSpan('fleet.run', {
      attributes: { 'fleet_emu.fleet': attributes.fleet, 'fleet_emu.seed': attributes.seed, 'fleet_emu.devices': attributes.devices, 'server.address': attributes.brokerUrl },
    })
  }

  private parent() {
    return this.run ? trace.setSpan(context.active(), this.run) : context.active()
  }

  sessionStarted(deviceId: string, profile: string, protocolVersion: number): void {
    this.sessionEnded(deviceId, 'replaced')
    const span = this.tracer.startSpan(
      'mqtt session',
      {
        kind: SpanKind.PRODUCER,
        attributes: { 'messaging.system': 'mqtt', 'messaging.client.id': deviceId, 'network.protocol.name': 'mqtt', 'network.protocol.version': protocolVersion === 5 ? '5.0' : '3.1.1', 'fleet_emu.profile': profile },
      },
      this.parent(),
    )
    const carrier: Record<string, string> = {}
    propagation.inject(trace.setSpan(context.active(), span), carrier)
    this.sessions.set(deviceId, { span, carrier: Object.keys(carrier).length > 0 ? carrier : undefined })
  }

  /** The trace context to put in this device's MQTT 5 user properties; undefined when there is none. */
  traceContext(deviceId: string): Record<string, string> | undefined {
    return this.sessions.get(deviceId)?.carrier
  }

  /** Ends a device's session span; `reason` is why the connection ended (a clean stop is not an error). */
  sessionEnded(deviceId: string, reason: string): void {
    const s = this.sessions.get(deviceId)
    if (!s) return
    this.sessions.delete(deviceId)
    s.span.setAttribute('fleet_emu.close_reason', reason)
    if (reason !== 'stopped' && reason !== 'replaced') s.span.setStatus({ code: SpanStatusCode.ERROR, message: `session ended: ${reason}` })
    s.span.end()
  }

  /**
   * A fault began on `devices` devices. Device shards each report their part of one occurrence: the
   * span opens with the first, counts every part's devices, and ends when the last part has ended.
   */
  faultStarted(faultId: string, kind: string, devices: number): void {
    const open = this.faults.get(faultId)
    if (open) {
      open.parts++
      open.devices += devices
      open.span.setAttribute('fleet_emu.fault.devices', open.devices)
      return
    }
    const span = this.tracer.startSpan(`fault ${kind}`, { attributes: { 'fleet_emu.fault.id': faultId, 'fleet_emu.fault.kind': kind, 'fleet_emu.fault.devices': devices } }, this.parent())
    this.faults.set(faultId, { span, parts: 1, devices })
  }

  faultEnded(faultId: string, all = false): void {
    const open = this.faults.get(faultId)
    if (!open || (--open.parts > 0 && !all)) return
    open.span.end()
    this.faults.delete(faultId)
  }

  /** Ends every open span (the run stopped). */
  endRun(status: string): void {
    for (const id of [...this.sessions.keys()]) this.sessionEnded(id, 'stopped')
    for (const id of [...this.faults.keys()]) this.faultEnded(id, true)
    this.run?.setAttribute('fleet_emu.status', status)
    this.run?.end()
    this.run = undefined
  }
}
