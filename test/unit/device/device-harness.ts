/**
 * Test rig for virtual devices in virtual time: a VirtualClock, in-process links into a recording
 * sink, recording hooks, and small inline profiles. No sockets. Shared by the device and faults tests.
 */
import { basicFirmware } from '../../../firmware-models/basic.machine.js'
import { VirtualClock } from '../../../src/core/clock.js'
import type { FirmwareMachine } from '../../../src/device/kit.js'
import type { Sample } from '../../../src/device/sampler.js'
import { VirtualDevice, type DeviceHooks, type DeviceRegion } from '../../../src/device/virtual-device.js'
import { deviceProfileSchema, type DeviceProfile } from '../../../src/spec/device-profile.schema.js'
import { inProcessLinkFactory, type InProcessSink } from '../../../src/transport/in-process-link.js'
import type { LinkListener, LinkOptions, PublishOptions } from '../../../src/transport/device-link.js'

export const EPOCH = Date.UTC(2026, 0, 1)

/** Two sensors (a noisy sine and a random walk), 1 s period without jitter, fast backoff. */
export const BASE_PROFILE = {
  name: 'test-sensor',
  telemetry: { period: '1s', jitter: 0 },
  firmware: { bootTime: '2s', watchdog: '8s' },
  sensors: {
    temperature: { signal: { kind: 'sine', mean: 20, amplitude: 5, period: '10m' }, noise: 0.2, range: [-40, 85] },
    humidity: { signal: { kind: 'random-walk', start: 50, step: 0.5 }, range: [0, 100] },
  },
  connectivity: { backoff: { initial: '1s', max: '4s', multiplier: 2, jitter: 0.5 } },
}

type Plain = Record<string, unknown>
const isPlain = (v: unknown): v is Plain => typeof v === 'object' && v !== null && !Array.isArray(v)

function merge(base: Plain, over: Plain): Plain {
  const out: Plain = { ...base }
  for (const [k, v] of Object.entries(over)) {
    if (v === undefined) delete out[k]
    else out[k] = isPlain(v) && isPlain(base[k]) ? merge(base[k], v) : v
  }
  return out
}

/** BASE_PROFILE with `overrides` deep-merged in (a key set to undefined removes it, at any depth), parsed by the real schema. */
export function makeProfile(overrides: Plain = {}): DeviceProfile {
  const merged = merge(BASE_PROFILE, overrides)
  for (const [k, v] of Object.entries(merged)) if (v === undefined) delete merged[k]
  return deviceProfileSchema.parse(merged)
}

function parseOrNull(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return null
  }
}

export interface SinkRecord {
  at: number
  clientId: string
  topic: string
  payload: string
  qos: 0 | 1
  retain: boolean
}

/** A sink record with the payload's bytes as published (binary payloads, e.g. Sparkplug's, do not survive `payload`'s UTF-8). */
export interface RawRecord {
  at: number
  clientId: string
  topic: string
  bytes: Buffer
  qos: 0 | 1
  retain: boolean
}

export interface SampleRecord {
  at: number
  device: string
  seq: number
  /** The message's ts after clock skew. */
  tsDevice: number
  sample: Sample
  messageFaultIds: string[]
}

/** Remembers everything devices report, with the clock time of each report. */
export class RecordingHooks implements DeviceHooks {
  readonly states: { at: number; device: string; region: DeviceRegion; from: string; to: string }[] = []
  readonly connects: { at: number; device: string; outcome: string }[] = []
  readonly disconnects: { at: number; device: string; reason: string }[] = []
  readonly publishes: { at: number; device: string; bytes: number }[] = []
  /** Per telemetry publish: the device's seq and the payload's own (Sparkplug) seq. */
  readonly publishedSeqs: { device: string; seq?: number; wireSeq?: number }[] = []
  readonly samples: SampleRecord[] = []
  readonly dropped: { at: number; device: string }[] = []
  readonly commands: { at: number; device: string; name: string; status: string }[] = []

  constructor(private readonly clock: VirtualClock) {}

  stateChanged(d: VirtualDevice, region: DeviceRegion, from: string, to: string): void {
    this.states.push({ at: this.clock.now(), device: d.id, region, from, to })
  }
  connectAttempt(d: VirtualDevice, outcome: string): void {
    this.connects.push({ at: this.clock.now(), device: d.id, outcome })
  }
  disconnected(d: VirtualDevice, reason: string): void {
    this.disconnects.push({ at: this.clock.now(), device: d.id, reason })
  }
  published(d: VirtualDevice, bytes: number, seq?: number, wireSeq?: number): void {
    this.publishes.push({ at: this.clock.now(), device: d.id, bytes })
    this.publishedSeqs.push({ device: d.id, seq, wireSeq })
  }
  sampled(d: VirtualDevice, sample: Sample, seq: number, tsDevice: number, messageFaultIds: readonly string[]): void {
    this.samples.push({ at: this.clock.now(), device: d.id, seq, tsDevice, sample: structuredClone(sample), messageFaultIds: [...messageFaultIds] })
  }
  droppedOffline(d: VirtualDevice): void {
    this.dropped.push({ at: this.clock.now(), device: d.id })
  }
  commandReceived(d: VirtualDevice, name: string, status: string): void {
    this.commands.push({ at: this.clock.now(), device: d.id, name, status })
  }

  /** When `device`'s `region` entered state `to` (each time). */
  entered(device: string, region: DeviceRegion, to: string): number[] {
    return this.states.filter((s) => s.device === device && s.region === region && s.to === to).map((s) => s.at)
  }
}

export interface Rig {
  clock: VirtualClock
  hooks: RecordingHooks
  sink: SinkRecord[]
  /** The same publishes as `sink`, with their bytes. */
  raw: RawRecord[]
  devices: Map<string, VirtualDevice>
  /** Each device's link listener, to play the broker's side (deliver a command). */
  listeners: Map<string, LinkListener>
  /** Creates (not starts) a device with BASE_PROFILE + overrides. */
  add(id: string, profile?: DeviceProfile, opts?: { group?: string; labels?: Record<string, string> }): VirtualDevice
  /** Telemetry records in the sink for one device, parsed (json is null for a payload that is not JSON). */
  telemetry(id: string): (SinkRecord & { json: Record<string, unknown> })[]
  /** Advance virtual time to `ms` after the run start. */
  runTo(relMs: number): void
  stopAll(): Promise<void>
}

export function createRig(opts: { seed?: number; firmware?: FirmwareMachine } = {}): Rig {
  const clock = new VirtualClock({ epochMs: EPOCH })
  const hooks = new RecordingHooks(clock)
  const sink: SinkRecord[] = []
  const raw: RawRecord[] = []
  const record: InProcessSink = (clientId, topic, payload, o: PublishOptions) => {
    sink.push({ at: clock.now(), clientId, topic, payload: payload.toString(), qos: o.qos, retain: o.retain ?? false })
    raw.push({ at: clock.now(), clientId, topic, bytes: Buffer.from(payload), qos: o.qos, retain: o.retain ?? false })
  }
  const devices = new Map<string, VirtualDevice>()
  const listeners = new Map<string, LinkListener>()
  const inProcess = inProcessLinkFactory(clock, record)
  const env = {
    clock,
    seed: opts.seed ?? 42,
    runStartMs: EPOCH,
    brokerUrl: 'in-process',
    linkFactory: (o: LinkOptions, l: LinkListener) => {
      listeners.set(o.clientId, l)
      return inProcess(o, l)
    },
    firmware: opts.firmware ?? basicFirmware,
    hooks,
  }
  return {
    clock,
    hooks,
    sink,
    raw,
    devices,
    listeners,
    add(id, profile = makeProfile(), o = {}) {
      const device = new VirtualDevice({ id, group: o.group ?? 'g', profile, labels: o.labels ?? {} }, env)
      devices.set(id, device)
      return device
    },
    telemetry(id) {
      return sink
        .filter((r) => r.clientId === id && r.topic === `devices/${id}/telemetry`)
        .map((r) => ({ ...r, json: parseOrNull(r.payload) as Record<string, unknown> }))
    },
    runTo(relMs) {
      clock.runUntil(EPOCH + relMs)
    },
    async stopAll() {
      for (const d of devices.values()) await d.stop()
    },
  }
}
