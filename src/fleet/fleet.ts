import { EventEmitter } from 'node:events'
import { RealClock, errors, wallEpochMs, type Clock, type TimerHandle } from '../core/index.js'
import { BrokerThread, EmbeddedBroker } from '../broker/index.js'
import { VirtualDevice, telemetryTopicTemplate, type DeviceEnvironment, type DeviceHooks, type DeviceRegion, type DeviceStates, type Sample } from '../device/index.js'
import { FaultInjector, faultEntrySchemas, planFaults, type BrokerControl, type FaultRecord, type PlannedFault } from '../faults/index.js'
import { FleetMetrics, FleetTracing, MetricsServer } from '../observability/index.js'
import { JsonlWriter, RUN_FILES, writeJsonFile } from '../outputs/index.js'
import { inProcessLinkFactory, memoryConnector, mqttLinkFactory, probeBroker, subscribeProbe, templateFilter, type BytePipeListener, type CloseReason, type LinkFactory, type PipeConnector, type ProbeSubscriber } from '../transport/index.js'
import { brokerControl } from './broker-control.js'
import { firmwareModels } from './firmware-registry.js'
import { FleetStats } from './fleet-stats.js'
import { sendFleetCommand, type CommandOutcome, type CommandTarget, type FleetCommandOptions } from './fleet-command.js'
import { validateRuntimeFault } from './runtime-fault.js'
import type { ResolvedFleet } from './load-fleet.js'
import { describeDevices } from './plan-fleet.js'
import { buildSummary, type RunSummary } from './summary.js'
import { SoakRecorder, type TopicIndex } from './soak-recorder.js'
import { finishRunReport } from './run-report.js'
import type { RunReport } from '../outputs/index.js'
import { join } from 'node:path'
import type { DeviceProfile } from '../spec/index.js'
import type { FleetObserver } from './device-shard-protocol.js'
import { DeviceShards, shardRanges, type ShardEventSink } from './device-shards.js'
import { FaultTally } from './fault-tally.js'

/** The broker thread's key among the threads whose health the recorder holds (shards are 0…N−1). */
const BROKER_THREAD = -1

export interface FleetOptions {
  /** Overrides the fleet file's seed. */
  seed?: number
  /** Overrides the fleet file's duration (ms); `run()` stops the fleet after it. */
  durationMs?: number
  /**
   * Run the embedded broker in a worker thread (a core of its own; devices stay on this one). With
   * `links: 'memory'` devices reach it through in-memory streams over the worker's port. Default off
   * for the library (tests reach the in-process broker through `embeddedBroker`), on with
   * `deviceWorkers`; `fleet-emu run` turns it on except with in-memory links on two cores or fewer.
   */
  brokerThread?: boolean
  /** Embedded broker port (0 = a free one). Ignored with an external broker. */
  brokerPort?: number
  brokerHost?: string
  /** External broker URL; overrides the fleet file. */
  brokerUrl?: string
  /** Metrics port (0 = a free one), or false for none. Library default: the fleet file's setting. */
  metricsPort?: number | false
  /** Output folder for faults.jsonl and summary.json; none when omitted. */
  outDir?: string
  /** Live clock speed factor (hours compressed into minutes where the profile's timings allow). */
  speed?: number
  clock?: Clock
  /** Connect ramp, devices per second; overrides the fleet file. */
  rampRate?: number
  linkFactory?: LinkFactory
  /**
   * `mqtt` (default): real MQTT sessions to the embedded or external broker. `in-process`: no broker
   * and no sockets; publishes are emitted as `publish` events (virtual-time runs).
   */
  transport?: 'mqtt' | 'in-process'
  /**
   * How devices reach the embedded broker: `tcp` (default: real sockets on loopback, ~1–2 file
   * descriptors per device) or `memory` (in-process pipes into aedes: no descriptors, so past the
   * ~10k devices one process can hold over TCP). External brokers are always reached over the network.
   */
  links?: 'tcp' | 'memory'
  /**
   * Run only shard `index` of `count`: devices [⌊index·D/count⌋, ⌊(index+1)·D/count⌋). The fault plan
   * is still computed over the whole fleet, so the union of all shards equals one unsharded run.
   */
  shard?: { index: number; count: number }
  /**
   * Run only the devices at fleet-wide indexes [from, to) (a dataset worker's part of the fleet);
   * overrides `shard`. As with shards, the fault plan is the whole fleet's.
   */
  deviceRange?: { from: number; to: number }
  /**
   * The fault plan, when the caller has it already (a dataset's parts share one): it must be
   * planFaults() of this fleet's faults, devices, seed and duration. Default: computed here.
   */
  plan?: readonly PlannedFault[]
  /**
   * Measure the run (delivery probe, connect/reconnect times, timeline, process health) and write
   * report.json/report.html to `outDir`. Default: on for MQTT transports, off in-process.
   */
  measure?: boolean
  /** Report timeline interval, clock ms. Default: 1 s, or duration/1800 for runs over half an hour. */
  reportIntervalMs?: number
  /**
   * Keep every closed fault-log record in memory for `faultLog` (default true). `fleet-emu run` turns
   * it off: its records are in faults.jsonl, and an hours-long soak makes one per device per fault.
   */
  keepFaultLog?: boolean
  /**
   * Called for every sample every device produces (datasets read telemetry here, not from events).
   * The sample is only good during the call: a device whose sample is sent (or dropped unread) within
   * its tick writes each sample over the last (no garbage per sample); copy what you keep.
   */
  onSample?: (device: VirtualDevice, sample: Sample, seq: number, tsDevice: number, messageFaultIds: readonly string[]) => void
  /**
   * Run the devices in this many worker threads (device shards; 0 = in this thread, the default).
   * Needs the embedded broker, reached with in-memory links: in its own thread unless `brokerThread`
   * is false, then on this thread beside the measurements (what pays on two cores). Counts,
   * measurements, the fault log, metrics and the report stay whole here; per-device views
   * (`device()`, `list()`, `command()`, `count()` over several fields) need the devices in this
   * thread.
   */
  deviceWorkers?: number
  /**
   * For a device shard: the broker is in another thread, reached through `connect` (no broker is
   * started here and none probed), with broker-side faults going through `control`.
   */
  remoteBroker?: { url: string; connect: PipeConnector; control: BrokerControl }
  /** For a device shard: the run's start on the shared clock (default: now). */
  runStartMs?: number
  /** For a device shard: told every device hook, injector hook and fault-log record. */
  observer?: FleetObserver
  /**
   * How the process's heap is tuned, as the report's run metadata records it (the CLI passes its
   * `--heap-growth`/`--heap-compaction`), so two reports can be compared from report.json alone.
   */
  heapSettings?: string
}

export interface DeviceStateEvent {
  deviceId: string
  region: DeviceRegion
  from: string
  to: string
  atMs: number
}

export interface DeviceInfo {
  id: string
  group: string
  profile: string
  labels: Readonly<Record<string, string>>
  states: Readonly<DeviceStates>
  firmwareVersion: string
  batteryPercent: number | undefined
  seq: number
  lastTelemetry: { ts: number; values: Record<string, number | null> } | undefined
}

export type CountFilter = Partial<DeviceStates> & { group?: string; profile?: string }

type FleetPhase = 'created' | 'preparing' | 'prepared' | 'starting' | 'running' | 'stopping' | 'stopped'

/**
 * A running fleet: owns the clock, the broker choice, every device's lifecycle, the fault injector,
 * metrics and outputs. Control surfaces (CLI, tests, the control plane) use only this public API.
 *
 * @example
 * const fleet = await startFleet('fleets/quickstart.fleet.yaml', { seed: 7, devices: 50, brokerPort: 0, metricsPort: false })
 * await fleet.waitFor((f) => f.count({ connectivity: 'online' }) === 50, { timeoutMs: 10_000 })
 * fleet.inject({ kind: 'disconnect', target: { fraction: 0.2 }, duration: '3s' })
 * await fleet.stop()
 */
export class Fleet extends EventEmitter {
  readonly name: string
  readonly seed: number
  readonly durationMs: number
  readonly clock: Clock
  readonly metrics: FleetMetrics
  readonly stats = new FleetStats()
  readonly plan: readonly PlannedFault[]
  private phase: FleetPhase = 'created'
  private broker: EmbeddedBroker | BrokerThread | undefined
  private metricsServer: MetricsServer | undefined
  private readonly devices = new Map<string, VirtualDevice>()
  private injector!: FaultInjector
  private faultTally: FaultTally | undefined
  private faultWriter: JsonlWriter | undefined
  private runStartMs = 0
  private runStarted = false
  /** The environments devices were made with (one per firmware model): start() sets their run start. */
  private readonly deviceEnvs: DeviceEnvironment[] = []
  private startedWallMs = 0
  private timers = new Set<TimerHandle>()
  private runtimeFaults = 0
  private recorder: SoakRecorder | undefined
  private readonly tracing = new FleetTracing()
  private probeSubscriber: ProbeSubscriber | undefined
  private readonly topicIndex: TopicIndex = new Map()
  private runReport: RunReport | undefined
  private shards: DeviceShards | undefined
  /** With device shards: profiles by device id, and which devices are online (from their events). */
  private profilesById: Map<string, DeviceProfile> | undefined
  private readonly onlineIds = new Set<string>()
  /** Why the run failed, when a device shard did (the run stops as interrupted). */
  failure: string | undefined
  /** Planned faults that could not run here, with why (reported in the summary). */
  readonly skippedFaults: { faultId: string; kind: string; reason: string }[] = []
  private stopPromise: Promise<RunSummary> | undefined
  private endReason: RunSummary['status'] = 'complete'
  private resolveDone!: (s: RunSummary) => void
  /** Resolves with the summary when the fleet has stopped (duration over, stop() or a signal). */
  readonly done: Promise<RunSummary>

  constructor(
    readonly resolved: ResolvedFleet,
    private readonly opts: FleetOptions = {},
  ) {
    super()
    this.name = resolved.spec.name
    this.seed = opts.seed ?? resolved.spec.seed
    this.durationMs = opts.durationMs ?? resolved.spec.duration
    this.clock = opts.clock ?? new RealClock({ speed: opts.speed ?? 1 })
    this.metrics = new FleetMetrics({ scenario: this.name, collect: () => this.updateGauges(), messageTotals: () => this.stats.byProfile, deliveryTotals: () => deliveryTotals(this.recorder) })
    this.plan = opts.plan ?? planFaults(resolved.spec.faults, describeDevices(resolved), this.seed, this.durationMs)
    this.done = new Promise((resolve) => (this.resolveDone = resolve))
  }

  get brokerUrl(): string {
    if (this.opts.transport === 'in-process') return 'in-process'
    return this.opts.remoteBroker?.url ?? this.opts.brokerUrl ?? this.resolved.spec.broker.url ?? this.broker?.url ?? ''
  }

  /** The embedded broker, when the fleet started one (undefined with an external broker). */
  get embeddedBroker(): EmbeddedBroker | undefined {
    return this.broker instanceof EmbeddedBroker ? this.broker : undefined
  }

  get metricsUrl(): string | undefined {
    return this.metricsServer?.url
  }

  get outDir(): string | undefined {
    return this.opts.outDir
  }

  /** Devices this process runs (the whole fleet, or this shard's part). */
  get size(): number {
    return this.devices.size || this.shardDevices().length
  }

  /** Every closed fault-log record (empty with `keepFaultLog: false`; faults.jsonl has them). */
  get faultLog(): readonly FaultRecord[] {
    return this.injector?.log.records ?? []
  }

  /** What the summary and the report say about faults, counted as records closed (kept or not). */
  get faultTotals(): { perFault: RunSummary['faults']; occurrences: RunReport['faults'] } {
    return { perFault: this.faultTally?.summary() ?? [], occurrences: this.faultTally?.timeline() ?? [] }
  }

  /** The run's report (SLIs, thresholds, verdict, timeline), once the fleet has stopped; undefined when not measured. */
  get report(): RunReport | undefined {
    return this.runReport
  }

  /** Live measurements (the delivery probe and friends) while the run is measured. */
  get measurements(): SoakRecorder | undefined {
    return this.recorder
  }

  /** Devices under a fault right now, by kind. */
  activeFaults(): Map<string, number> {
    return this.injector?.log.activeByKind() ?? new Map()
  }

  /** Clock epoch ms when the run started (fault records are on the same clock). */
  get runStartedAtMs(): number {
    return this.runStartMs
  }

  /** The live clock's speed factor (1 for wall time and for virtual clocks). */
  get speed(): number {
    return this.opts.speed ?? 1
  }

  /** How devices reach the broker. */
  get linkKind(): 'tcp' | 'memory' | 'in-process' {
    if (this.opts.transport === 'in-process') return 'in-process'
    if (this.opts.remoteBroker || this.shards) return 'memory'
    return this.opts.links === 'memory' && this.broker ? 'memory' : 'tcp'
  }

  /** The heap tuning the caller reported ({@link FleetOptions.heapSettings}); in report.json's run. */
  get heapSettings(): string | undefined {
    return this.opts.heapSettings
  }

  /** Where the devices and the embedded broker run (the report says it: it sets the ramp and memory). */
  get threads(): string {
    const devices = this.shards ? `devices in ${workerThreads(this.shards.count)}` : 'devices on the main thread'
    if (!this.broker) return `${devices}; external broker`
    if (this.broker instanceof BrokerThread) return `${devices}; broker in its own thread`
    return this.shards ? `${devices}; broker on the main thread` : `${devices}, with the broker`
  }

  /** Clock ms since the run started. */
  elapsedMs(): number {
    return this.runStarted ? this.clock.now() - this.runStartMs : 0
  }

  /**
   * Gets everything ready without starting the run: the broker (or the check that an external one
   * answers), the metrics endpoint, and every device made but not powered on — in device workers
   * too. `start()` calls it; the run's clock starts after it, so the connect ramp is devices
   * connecting, not the emulator building them.
   */
  async prepare(): Promise<this> {
    if (this.phase !== 'created') throw errors.fleetState(`prepare() called on a fleet that is ${this.phase}`)
    this.phase = 'preparing'
    const spec = this.resolved.spec
    const workers = this.opts.deviceWorkers ?? 0
    try {
      const external = this.opts.brokerUrl ?? spec.broker.url
      if (workers > 0 && (external || this.opts.transport === 'in-process' || this.opts.remoteBroker || !(this.clock instanceof RealClock))) {
        throw errors.fleetState('device workers need the embedded broker (no broker.url, no --broker-url), MQTT transport and the live clock')
      }
      if (this.opts.transport === 'in-process' || this.opts.remoteBroker) {
        // no broker here: publishes stay in the process, or the broker is in another thread
      } else if (external) {
        const probe = await probeBroker(external, { username: spec.broker.username, password: spec.broker.password })
        if (!probe.ok) throw errors.brokerUnreachable(external, probe.message)
      } else {
        const where = { host: this.opts.brokerHost ?? spec.broker.host, port: this.opts.brokerPort ?? spec.broker.port }
        // Device shards reach the broker in its thread unless told otherwise (the library's default).
        const brokerThread = this.opts.brokerThread ?? workers > 0
        this.broker = brokerThread ? await BrokerThread.start(where) : await EmbeddedBroker.start(where)
      }
      const metricsCfg = this.opts.metricsPort === false ? false : spec.metrics === false && this.opts.metricsPort === undefined ? false : { host: spec.metrics === false ? '127.0.0.1' : spec.metrics.host, port: this.opts.metricsPort ?? (spec.metrics === false ? 0 : spec.metrics.port) }
      if (metricsCfg) this.metricsServer = await MetricsServer.start(this.metrics, metricsCfg.host, metricsCfg.port)
      if (workers > 0) await this.prepareShards(workers)
      else this.createDevices()
    } catch (e) {
      await this.broker?.stop()
      await this.metricsServer?.stop()
      this.phase = 'stopped'
      throw e
    }
    this.phase = 'prepared'
    return this
  }

  /**
   * Starts the run (preparing first, unless `prepare()` was called): the fault plan, measurements and
   * outputs, then devices ramp on at the fleet's connect rate. `runStartMs`: the run's start on the
   * clock (device shards take the fleet's; default now).
   */
  async start(opts: { runStartMs?: number } = {}): Promise<this> {
    if (this.phase === 'created') await this.prepare()
    if (this.phase !== 'prepared') throw errors.fleetState(`start() called on a fleet that is ${this.phase}`)
    this.phase = 'starting'
    const spec = this.resolved.spec
    this.startedWallMs = wallEpochMs()
    this.runStartMs = opts.runStartMs ?? this.opts.runStartMs ?? this.clock.now()
    this.runStarted = true
    for (const env of this.deviceEnvs) env.runStartMs = this.runStartMs
    this.tracing.startRun({ fleet: this.name, seed: this.seed, devices: this.shardDevices().length, brokerUrl: this.brokerUrl })
    if (this.opts.outDir) {
      this.faultWriter = new JsonlWriter(join(this.opts.outDir, RUN_FILES.faultLog), 64)
    }
    const observer = this.opts.observer
    this.injector = new FaultInjector(this.clock, this.runStartMs, this.devices, {
      faultStarted: (kind, faultId, n) => {
        observer?.faultStarted(kind, faultId, n)
        this.onFaultStarted(kind, faultId, n)
      },
      faultEnded: (kind, faultId) => {
        observer?.faultEnded(kind, faultId)
        this.onFaultEnded(kind, faultId)
      },
      faultSkipped: (kind, faultId, reason) => {
        observer?.faultSkipped(kind, faultId, reason)
        this.onFaultSkipped(kind, faultId, reason)
      },
    }, {
      seed: this.seed,
      broker: this.broker ? brokerControl(this.broker) : this.opts.remoteBroker?.control,
      // A device shard's records go to the main thread, which keeps them (or not).
      keepRecords: !observer && (this.opts.keepFaultLog ?? true),
    })
    const tally = (this.faultTally = new FaultTally(this.runStartMs))
    this.injector.log.onRecord((r) => {
      tally.add(r)
      this.faultWriter?.write(r)
    })
    if (observer) {
      this.injector.log.onStart((faultId, kind, deviceId, atMs, rootCauseId, params, source) => observer.faultLogStart(faultId, kind, deviceId, atMs, params, source, rootCauseId))
      this.injector.log.onRecord((r) => observer.faultLogRecord(r, this.devices.get(r.device_id)?.currentStates.connectivity === 'online'))
    }
    if (this.shards) {
      if (this.opts.measure ?? true) await this.startMeasuring()
      await this.shards.begin(this.runStartMs)
    } else {
      if (this.opts.measure ?? this.opts.transport !== 'in-process') await this.startMeasuring()
      this.injector.schedule(this.plan)
      this.rampOn(this.opts.rampRate ?? spec.ramp.rate)
    }
    this.phase = 'running'
    return this
  }

  /**
   * The devices in worker threads: this thread keeps the broker, the measurements and the outputs,
   * fed by the shards' events; each shard runs the fault plan on its own devices. The shards make
   * their devices now, before the run starts.
   */
  private async prepareShards(workers: number): Promise<void> {
    const broker = this.broker!
    const all = this.shardDevices()
    const first = this.opts.deviceRange?.from ?? shardStart(this.resolved.devices.length, this.opts.shard)
    this.profilesById = new Map(all.map((d) => [d.id, d.profile]))
    this.shards = await DeviceShards.start({
      resolved: this.resolved,
      ranges: shardRanges(all.length, Math.min(workers, Math.max(1, all.length))).map((r) => ({ from: first + r.from, to: first + r.to })),
      seed: this.seed,
      durationMs: this.durationMs,
      rampRate: this.opts.rampRate,
      broker,
      anchor: (this.clock as RealClock).anchor(),
      sink: this.shardSink(),
    })
  }

  /** Applies device shards' events here, as the device hooks would for devices in this thread. */
  private shardSink(): ShardEventSink {
    const profile = (id: string) => this.profilesById!.get(id)!
    return {
      devicesCreated: (list) => {
        for (const d of list) {
          const p = profile(d.id)
          ;(this.topicIndex as Map<string, { deviceId: string; profile: string; sparkplug: boolean }>).set(d.topic, { deviceId: d.id, profile: p.name, sparkplug: d.sparkplug })
          for (const [region, state] of Object.entries(d.states)) this.stats.moved(region as DeviceRegion, p.name, undefined, state)
        }
      },
      stateChanged: (id, region, from, to, atMs) => {
        if (region === 'connectivity') {
          if (to === 'online') this.onlineIds.add(id)
          else this.onlineIds.delete(id)
        }
        this.onStateChanged(id, profile(id), region, from, to, atMs)
      },
      connectAttempt: (id, outcome) => this.onConnectAttempt(id, profile(id).name, outcome),
      disconnected: (id, reason) => this.onDisconnected(id, profile(id).name, reason),
      published: (id, bytes, seq, wireSeq, clockMs, hiresMs) => this.onPublished(id, profile(id).name, bytes, seq, wireSeq, { clockMs, hiresMs }),
      sampled: (n) => (this.stats.samples += n),
      droppedOffline: (id) => this.onDroppedOffline(profile(id).name),
      commandReceived: (id, name, status) => this.onCommandReceived(profile(id).name, name, status),
      faultStarted: (kind, faultId, n) => this.onFaultStarted(kind, faultId, n),
      faultEnded: (kind, faultId) => this.onFaultEnded(kind, faultId),
      faultSkipped: (kind, faultId, reason) => {
        // Every shard runs the plan: report a skipped fault once.
        if (!this.skippedFaults.some((f) => f.faultId === faultId)) this.onFaultSkipped(kind, faultId, reason)
      },
      faultLogStart: (faultId, kind, id, atMs, params, source, rootCauseId) => this.injector.log.start(faultId, kind, id, atMs, params, source, rootCauseId),
      faultLogRecord: (record) => this.injector.log.closeWith(record),
      threadHealth: (shard, h) => this.recorder?.threadHealth(shard, h),
      failed: (shard, message) => {
        this.failure ??= `device shard ${shard + 1}/${this.shards?.count ?? '?'} failed: ${message}`
        void this.stop({ reason: 'interrupted' })
      },
    }
  }

  private onFaultStarted(kind: string, faultId: string, n: number): void {
    this.metrics.faultActivations.inc({ kind }, n)
    this.tracing.faultStarted(faultId, kind, n)
    this.emit('fault.started', { faultId, kind, devices: n, atMs: this.clock.now() })
  }

  private onFaultEnded(kind: string, faultId: string): void {
    this.tracing.faultEnded(faultId)
    this.emit('fault.ended', { faultId, kind, atMs: this.clock.now() })
  }

  private onFaultSkipped(kind: string, faultId: string, reason: string): void {
    this.skippedFaults.push({ faultId, kind, reason })
    this.emit('fault.skipped', { faultId, kind, reason, atMs: this.clock.now() })
  }

  /** Runs until the fleet's duration has passed (or stop() is called), then stops; resolves with the summary. */
  async run(): Promise<RunSummary> {
    if (this.phase === 'created' || this.phase === 'prepared') await this.start()
    this.later(this.durationMs, () => void this.stop())
    return this.done
  }

  /** The delivery probe taps the broker path; fault windows and state changes feed the recorder. */
  private async startMeasuring(): Promise<void> {
    const intervalMs = this.opts.reportIntervalMs ?? Math.max(1000, Math.round(this.durationMs / 1800 / 1000) * 1000)
    const rec = (this.recorder = new SoakRecorder({ clock: this.clock, runStartMs: this.runStartMs, metrics: this.metrics, stats: this.stats, devices: this.size, intervalMs }))
    // Device shards' topics are already here (they arrive as the shards make their devices).
    const index = this.topicIndex as Map<string, { deviceId: string; profile: string; sparkplug: boolean }>
    for (const d of this.devices.values()) index.set(d.telemetryTopic, { deviceId: d.id, profile: d.identity.profile.name, sparkplug: d.telemetryConvention === 'sparkplug' })
    const log = this.injector.log
    // The faults' own windows: soak accounting predates propagated effects, which it does not count.
    log.onStart((_faultId, _kind, deviceId, atMs, rootCauseId) => rootCauseId === null && rec.faultStarted(deviceId, atMs))
    log.onRecord((r) => {
      if (r.root_cause_id !== null) return
      if (this.profilesById) return rec.faultEnded(r.device_id, this.profilesById.get(r.device_id)?.name ?? '', r.kind, r.end_ms, this.onlineIds.has(r.device_id), r.truncated)
      const d = this.devices.get(r.device_id)
      rec.faultEnded(r.device_id, d?.identity.profile.name ?? '', r.kind, r.end_ms, d?.currentStates.connectivity === 'online', r.truncated)
    })
    // The broker thread's heap counts in the emulator's (it has no devices: no lag to report).
    if (this.broker instanceof BrokerThread) this.broker.onHealth((heapUsedBytes) => rec.threadHealth(BROKER_THREAD, { heapUsedBytes, lagP99Ms: 0, lagMaxMs: 0, runLagP99Ms: null, runLagMaxMs: null }))
    if (this.broker) this.broker.onClientPublish((topic, payload, _clientId, atMs) => rec.delivery(index, topic, payload, atMs))
    else if (this.opts.transport !== 'in-process') {
      const broker = this.resolved.spec.broker
      const filters = [...new Set(this.shardDevices().map((d) => templateFilter(telemetryTopicTemplate(d.profile))))]
      this.probeSubscriber = await subscribeProbe(this.brokerUrl, filters, (topic, payload) => rec.delivery(index, topic, payload), {
        clientId: `fleet-emu-probe-${this.seed}-${this.opts.shard?.index ?? 0}`,
        username: broker.username,
        password: broker.password,
      })
    }
    rec.start()
    const tick = () => {
      rec.tick()
      this.later(intervalMs, tick)
    }
    this.later(intervalMs, tick)
  }

  private createDevices(): void {
    const firmwareFor = (model: string) => firmwareModels[model]!
    const linkFactory =
      this.opts.linkFactory ??
      (this.opts.transport === 'in-process'
        ? inProcessLinkFactory(this.clock, (clientId, topic, payload) => {
            this.recorder?.delivery(this.topicIndex, topic, payload)
            this.emit('publish', { clientId, topic, payload })
          })
        : mqttLinkFactory(this.clock, this.memoryLinks()))
    const hooks = this.deviceHooks()
    const broker = this.resolved.spec.broker
    // One environment per firmware model, shared by its devices; the run's start is set when it starts.
    const envs = new Map<string, DeviceEnvironment>()
    const envFor = (model: string): DeviceEnvironment => {
      let env = envs.get(model)
      if (!env) {
        env = {
          clock: this.clock,
          seed: this.seed,
          runStartMs: this.runStartMs,
          brokerUrl: this.brokerUrl,
          linkFactory,
          firmware: firmwareFor(model),
          hooks,
          brokerUsername: broker.username,
          brokerPassword: broker.password,
        }
        envs.set(model, env)
        this.deviceEnvs.push(env)
      }
      return env
    }
    for (const d of this.shardDevices()) {
      const device = new VirtualDevice({ id: d.id, group: d.group, profile: d.profile, labels: d.labels }, envFor(d.profile.firmware.model))
      this.devices.set(d.id, device)
      for (const [region, state] of Object.entries(device.currentStates)) this.stats.moved(region as DeviceRegion, d.profile.name, undefined, state)
    }
    this.opts.observer?.devicesCreated([...this.devices.values()].map((d) => ({ id: d.id, topic: d.telemetryTopic, sparkplug: d.telemetryConvention === 'sparkplug', states: d.currentStates })))
  }

  /** In-memory connections into the embedded broker, in this thread or its own; undefined for TCP. */
  private memoryLinks() {
    if (this.opts.remoteBroker) return this.opts.remoteBroker.connect
    const broker = this.broker
    if (this.opts.links !== 'memory' || !broker) return undefined
    return broker instanceof BrokerThread ? (listener: BytePipeListener) => broker.connectPipe(listener) : memoryConnector((stream) => broker.acceptStream(stream), () => !broker.accepting)
  }

  /** The devices this process runs: all of them, or its shard's contiguous range. */
  shardDevices(): readonly ResolvedFleet['devices'][number][] {
    const range = this.opts.deviceRange
    return range ? this.resolved.devices.slice(range.from, range.to) : shardOf(this.resolved.devices, this.opts.shard)
  }

  /** Faults active on a device right now, from the fault log (what dataset labels are made of). */
  activeFaultsOn(deviceId: string): ReadonlyMap<string, { kind: string; params: Record<string, unknown> }> {
    return this.injector.log.activeOn(deviceId)
  }

  /** Powers devices on in fleet order at `rate` devices/s, in batches at most every 10 ms. */
  private rampOn(rate: number): void {
    const list = [...this.devices.values()]
    // A shard's devices power on when they would in the whole fleet (by their fleet-wide index), so
    // their runs, and the union of the shards, are the same as in one unsharded run.
    const first = this.opts.deviceRange?.from ?? shardStart(this.resolved.devices.length, this.opts.shard)
    let next = 0
    const tick = () => {
      const due = Math.min(list.length, Math.floor(((this.clock.now() - this.runStartMs) * rate) / 1000) + 1 - first)
      while (next < due) list[next++]!.start()
      if (next < list.length && this.phase !== 'stopping' && this.phase !== 'stopped') this.later(Math.max(10, 1000 / rate), tick, true)
    }
    tick()
  }

  private deviceHooks(): DeviceHooks {
    const s = this.stats
    const o = this.opts.observer
    return {
      stateChanged: (device, region, from, to) => {
        o?.stateChanged(device.id, region, from, to)
        this.onStateChanged(device.id, device.identity.profile, region, from, to, this.clock.now())
      },
      connectAttempt: (device, outcome) => {
        o?.connectAttempt(device.id, outcome)
        this.onConnectAttempt(device.id, device.identity.profile.name, outcome)
      },
      traceContext: (device) => this.tracing.traceContext(device.id),
      disconnected: (device, reason) => {
        o?.disconnected(device.id, reason)
        this.onDisconnected(device.id, device.identity.profile.name, reason)
      },
      published: (device, bytes, seq, wireSeq) => {
        o?.published(device.id, bytes, seq, wireSeq)
        this.onPublished(device.id, device.identity.profile.name, bytes, seq, wireSeq)
      },
      sampled: (device, sample, seq, tsDevice, messageFaultIds) => {
        o?.sampled(device.id)
        s.samples++
        this.opts.onSample?.(device, sample, seq, tsDevice, messageFaultIds)
        // Copies: the sample may be the sampler's reused one (see Sampler.scratch).
        if (this.listenerCount('telemetry') > 0) this.emit('telemetry', { deviceId: device.id, seq, ...sample, values: { ...sample.values }, clean: { ...sample.clean }, tsDevice, messageFaultIds: [...messageFaultIds] })
      },
      droppedOffline: (device) => {
        o?.droppedOffline(device.id)
        this.onDroppedOffline(device.identity.profile.name)
      },
      commandReceived: (device, name, status) => {
        o?.commandReceived(device.id, name, status)
        this.onCommandReceived(device.identity.profile.name, name, status)
      },
    }
  }

  // What a device's hooks do to the fleet's counts and measurements, whether the device runs in this
  // thread or in a device shard (whose events arrive through shardSink).

  private onStateChanged(id: string, profile: DeviceProfile, region: DeviceRegion, from: string, to: string, atMs: number): void {
    const s = this.stats
    s.moved(region, profile.name, from, to)
    if (region === 'connectivity') {
      this.recorder?.connectivityChanged(id, profile.name, from, to, atMs)
      if (to === 'online') this.tracing.sessionStarted(id, profile.name, profile.connectivity.protocolVersion)
      else if (from === 'online') this.tracing.sessionEnded(id, 'stopped')
      if (to === 'online' && s.allOnlineAtMs === undefined && s.inState('connectivity', 'online') === this.size) {
        s.allOnlineAtMs = atMs - this.runStartMs
        this.emit('online', { atMs, afterMs: s.allOnlineAtMs })
      }
    }
    if (this.listenerCount('device.state') > 0) this.emit('device.state', { deviceId: id, region, from, to, atMs } satisfies DeviceStateEvent)
  }

  private onConnectAttempt(id: string, profile: string, outcome: string): void {
    const s = this.stats
    this.recorder?.connectAttempt(id, outcome === 'success')
    s.connectAttempts++
    s.connectOutcomes[outcome] = (s.connectOutcomes[outcome] ?? 0) + 1
    this.metrics.connects.inc({ profile, outcome })
  }

  private onDisconnected(id: string, profile: string, reason: string): void {
    this.tracing.sessionEnded(id, reason as CloseReason)
    this.stats.disconnects[reason] = (this.stats.disconnects[reason] ?? 0) + 1
    this.metrics.disconnects.inc({ profile, reason })
  }

  private onPublished(id: string, profile: string, bytes: number, seq: number | undefined, wireSeq: number | undefined, at?: { clockMs: number; hiresMs: number }): void {
    const s = this.stats
    if (seq !== undefined) this.recorder?.telemetryPublished(id, seq, wireSeq, at)
    s.messagesPublished++
    s.bytesPublished += bytes
    const t = s.profileTotals(profile)
    t.messages++
    t.bytes += bytes
  }

  private onCommandReceived(profile: string, command: string, status: string): void {
    this.stats.commands++
    this.metrics.commands.inc({ profile, command, status })
  }

  private onDroppedOffline(profile: string): void {
    this.stats.droppedOffline++
    this.stats.profileTotals(profile).droppedOffline++
  }

  private updateGauges(): void {
    this.metrics.devices.reset()
    for (const [profile, states] of this.stats.connectivityByProfile) for (const [state, n] of states) this.metrics.devices.set({ profile, state }, n)
    this.metrics.faultsActive.reset()
    for (const [kind, n] of this.activeFaults()) this.metrics.faultsActive.set({ kind }, n)
  }

  /** Devices matching every given state (and group/profile): `fleet.count({ connectivity: 'online' })`. */
  count(filter: CountFilter = {}): number {
    const keys = Object.keys(filter) as (keyof CountFilter)[]
    const only = keys.length === 1 ? keys[0] : undefined
    if (only !== undefined && only !== 'group' && only !== 'profile') return this.stats.inState(only, filter[only]!)
    if (keys.length === 0) return this.size
    this.needLocalDevices('count() over several fields or by group/profile')
    let n = 0
    for (const d of this.devices.values()) if (matches(d, filter)) n++
    return n
  }

  device(id: string): DeviceInfo | undefined {
    this.needLocalDevices('device()')
    const d = this.devices.get(id)
    return d && describeDevice(d)
  }

  list(filter: CountFilter = {}): DeviceInfo[] {
    this.needLocalDevices('list()')
    return [...this.devices.values()].filter((d) => matches(d, filter)).map(describeDevice)
  }

  /**
   * Resolves when `predicate(fleet)` holds; checked on every device state change and every 50 ms of
   * wall time. Rejects with FLEET_ERR_FLEET_WAIT_TIMEOUT after `timeoutMs` of wall time, whatever
   * the fleet's clock (scaled or virtual) is doing.
   */
  waitFor(predicate: (fleet: this) => boolean, opts: { timeoutMs?: number } = {}): Promise<void> {
    const timeoutMs = opts.timeoutMs ?? 30_000
    if (predicate(this)) return Promise.resolve()
    const wall = new RealClock()
    return new Promise((resolve, reject) => {
      let settled = false
      let pollTimer: TimerHandle | undefined
      const cleanup = () => {
        settled = true
        this.off('device.state', check)
        wall.clearTimeout(pollTimer)
        wall.clearTimeout(timeout)
      }
      const check = () => {
        if (settled || !predicate(this)) return
        cleanup()
        resolve()
      }
      const poll = () => {
        check()
        if (!settled) pollTimer = wall.setTimeout(poll, 50)
      }
      pollTimer = wall.setTimeout(poll, 50)
      const timeout = wall.setTimeout(() => {
        cleanup()
        reject(errors.waitTimeout(timeoutMs, `connectivity ${JSON.stringify(this.stats.states('connectivity'))}, firmware ${JSON.stringify(this.stats.states('firmware'))}`))
      }, timeoutMs)
      this.on('device.state', check)
    })
  }

  /**
   * Injects a fault now (or `at` from now), through the same registry and fault log as planned ones.
   * Takes the same fields as a fleet-file fault; durations may be "3s" or ms (`durationMs` also works).
   */
  inject(fault: Record<string, unknown>): { faultId: string; deviceIds: string[] } {
    if (this.phase !== 'running') throw errors.fleetState(`inject() needs a running fleet (it is ${this.phase})`)
    const entry = validateRuntimeFault(fault, faultEntrySchemas)
    const faultId = entry.id ?? `rt${this.runtimeFaults + 1}-${entry.kind}`
    const [planned] = planFaults([{ ...entry, id: faultId }], describeDevices(this.resolved), this.seed)
    if (!planned || planned.deviceIds.length === 0) throw errors.faultNoTargets(faultId)
    if (entry.id === undefined) this.runtimeFaults++
    const now = this.clock.now()
    const due = { ...planned, startMs: now - this.runStartMs + planned.startMs, endMs: planned.endMs === undefined ? undefined : now - this.runStartMs + planned.endMs }
    if (this.shards) this.shards.inject(due)
    else this.injector.schedule([due], 'runtime')
    return { faultId, deviceIds: planned.deviceIds }
  }

  /**
   * Sends a command to devices in-process, as if it had arrived on each one's commands topic (replies
   * are also published on the reply topics), and resolves once every device sent its final reply.
   * `target`: device ids, or a fault-style target. Devices that are not online do not get it.
   *
   * @example
   * const outcomes = await fleet.command({ profile: 'ota-sensor' }, 'ota', { version: '2.0.0' })
   * const updated = outcomes.filter((o) => o.final?.status === 'done').map((o) => o.deviceId)
   */
  command(target: CommandTarget, name: string, params: Record<string, unknown> = {}, opts: FleetCommandOptions = {}): Promise<CommandOutcome[]> {
    if (this.phase !== 'running') throw errors.fleetState(`command() needs a running fleet (it is ${this.phase})`)
    this.needLocalDevices('command()')
    return sendFleetCommand(this, this.devices, target, name, params, opts)
  }

  /** Per-device views and commands reach devices in this thread only. */
  private needLocalDevices(what: string): void {
    if (this.shards) throw errors.fleetState(`${what} needs the devices in this thread; this fleet runs them in ${this.shards.count} device workers (deviceWorkers: 0, or \`fleet-emu run --workers 0\`)`)
  }

  /** Schedules a planned fault on this fleet's devices (a device shard receiving a runtime fault). */
  schedule(planned: PlannedFault, source: FaultRecord['source'] = 'runtime'): void {
    if (this.phase === 'running') this.injector.schedule([planned], source)
  }

  /**
   * Stops the fleet: faults undone (records closed), devices disconnect cleanly (status `offline`),
   * broker and metrics closed, outputs flushed. Idempotent; resolves with the summary.
   */
  stop(opts: { reason?: RunSummary['status'] } = {}): Promise<RunSummary> {
    if (opts.reason) this.endReason = opts.reason
    else if (!this.stopPromise && this.elapsedMs() < this.durationMs) this.endReason = 'stopped'
    this.stopPromise ??= this.doStop()
    return this.stopPromise
  }

  private async doStop(): Promise<RunSummary> {
    const wasStarted = this.runStarted
    this.phase = 'stopping'
    for (const t of this.timers) this.clock.clearTimeout(t)
    this.timers.clear()
    const endedAtMs = this.clock.now()
    this.recorder?.endOfRun()
    // Shards undo their faults (their records arrive here) and stop their devices first.
    await this.shards?.stop(this.endReason)
    if (wasStarted) this.injector.stop()
    this.tracing.endRun(this.endReason)
    await Promise.all([...this.devices.values()].map((d) => d.stop().catch(() => undefined)))
    if (this.recorder && this.probeSubscriber) await this.drainDeliveries()
    this.faultWriter?.flush()
    const summary = buildSummary(this, wasStarted ? endedAtMs - this.runStartMs : 0, this.endReason, this.startedWallMs)
    if (this.recorder && wasStarted) {
      this.runReport = finishRunReport(this, this.recorder, summary)
      summary.verdict = this.runReport.verdict
    }
    if (this.opts.outDir) writeJsonFile(join(this.opts.outDir, RUN_FILES.summary), summary)
    await this.probeSubscriber?.close().catch(() => undefined)
    await this.metricsServer?.stop()
    await this.broker?.stop()
    this.phase = 'stopped'
    this.emit('stopped', summary)
    this.resolveDone(summary)
    return summary
  }

  /**
   * Flushes outputs synchronously (for a process that is about to exit, e.g. on a second Ctrl-C):
   * the fault log, and a report of what was measured so far, marked partial.
   */
  flushOutputs(): void {
    this.faultWriter?.flush()
    if (this.recorder && !this.runReport && this.runStarted) {
      const summary = buildSummary(this, this.elapsedMs(), 'interrupted', this.startedWallMs)
      this.runReport = finishRunReport(this, this.recorder, summary)
    }
  }

  /** Waits (≤ 2 s wall) for messages still on their way through an external broker to the probe. */
  private async drainDeliveries(): Promise<void> {
    const wall = new RealClock()
    for (let waited = 0; this.recorder!.probe.inFlight > 0 && waited < 2_000; waited += 50) {
      await new Promise<void>((resolve) => wall.setTimeout(resolve, 50))
    }
  }

  private later(ms: number, fn: () => void, relative = true): void {
    const handle = this.clock.setTimeout(() => {
      this.timers.delete(handle)
      fn()
    }, relative ? ms : ms - this.clock.now())
    this.timers.add(handle)
  }
}

function deliveryTotals(rec: SoakRecorder | undefined) {
  const c = rec?.probe.counts
  return c ? { ...c, inFlight: rec.probe.inFlight } : { delivered: 0, duplicates: 0, unexplainedDuplicates: 0, reordered: 0, unexplainedReordered: 0, inFlight: 0 }
}

/** Shard k of N of a device list: [⌊kD/N⌋, ⌊(k+1)D/N⌋) (DESIGN.md, scale-out). */
export function shardOf<T>(all: readonly T[], shard: { index: number; count: number } | undefined): readonly T[] {
  if (!shard) return all
  return all.slice(shardStart(all.length, shard), shardStart(all.length, { index: shard.index + 1, count: shard.count }))
}

/** Index of the first device of shard k of N among D devices: ⌊kD/N⌋ (0 without a shard). */
export function shardStart(devices: number, shard: { index: number; count: number } | undefined): number {
  return shard ? Math.floor((shard.index * devices) / shard.count) : 0
}

function matches(d: VirtualDevice, f: CountFilter): boolean {
  const s = d.currentStates
  return (
    (f.group === undefined || d.identity.group === f.group) &&
    (f.profile === undefined || d.identity.profile.name === f.profile) &&
    (f.firmware === undefined || s.firmware === f.firmware) &&
    (f.connectivity === undefined || s.connectivity === f.connectivity) &&
    (f.battery === undefined || s.battery === f.battery) &&
    (f.sensors === undefined || s.sensors === f.sensors)
  )
}

function describeDevice(d: VirtualDevice): DeviceInfo {
  const last = d.lastSample
  return {
    id: d.id,
    group: d.identity.group,
    profile: d.identity.profile.name,
    labels: d.identity.labels,
    states: d.currentStates,
    firmwareVersion: d.firmwareVersion,
    batteryPercent: d.batteryPercent,
    seq: d.publishedSeq,
    lastTelemetry: last && { ts: last.ts, values: last.values },
  }
}

/** "1 worker thread", "2 worker threads". */
export function workerThreads(n: number): string {
  return `${n} worker thread${n === 1 ? '' : 's'}`
}
