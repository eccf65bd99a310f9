import type { AnyStateMachine } from 'xstate'
import { deriveStream, expandTemplate, type Clock, type TimerHandle } from '../core/index.js'
import { resolveNetwork, type DeviceProfile } from '../spec/index.js'
import { combineShaping, type CloseReason, type ConnectFailure, type DeviceLink, type LinkFactory, type LinkListener, type LinkShaping } from '../transport/index.js'
import { BatteryModel, type BatteryLevel } from './battery.js'
import { CommandHandler, type CommandHost, type ReplyListener } from './command-handler.js'
import type { Command, CommandReply } from './commands.js'
import { createConvention, type ConventionHost, type PublishingConvention } from './conventions/index.js'
import { deviceMachine } from './device.machine.js'
import { encodeFirmwareReport } from './firmware-report.js'
import type { FirmwareConfig, FirmwareContext, FirmwareEvent, FirmwareMachine, OtaStage } from './kit.js'
import { OfflineBuffer } from './offline-buffer.js'
import { EMPTY_SAMPLE, EMPTY_VALUES, NO_FAULT_IDS, OutboundPipeline, type OutboundFault, type OutboundMessage } from './outbound.js'
import { LazyStreams } from './lazy-streams.js'
import { MachineRunner, assertRunnable } from './machine-runner.js'
import { networkShaping } from './network-shaping.js'
import { ShadowSync } from './shadow-sync.js'
import { Sampler, type Sample, type SamplerOwner } from './sampler.js'
import type { ValueFault } from './value-fault.js'


/**
 * The message of every sample published within its tick (no message fault, online), shared by the
 * devices of a thread and written over each time: nothing keeps it past the publish (the payload is
 * encoded from it there), so it need not be garbage per message.
 */
const SCRATCH_MESSAGE: OutboundMessage = { topic: '', qos: 0, fields: { ts: 0, seq: 0, values: EMPTY_VALUES, battery: undefined, fw: undefined }, faultIds: NO_FAULT_IDS as string[], sample: EMPTY_SAMPLE }

export type DeviceRegion = 'firmware' | 'connectivity' | 'battery' | 'sensors'
export type DeviceStates = Record<DeviceRegion, string>

export interface DeviceIdentity {
  id: string
  group: string
  profile: DeviceProfile
  labels: Readonly<Record<string, string>>
}

/** What a device tells its owner (the fleet): metrics, events and outputs hang off these. */
export interface DeviceHooks {
  stateChanged(device: VirtualDevice, region: DeviceRegion, from: string, to: string): void
  connectAttempt(device: VirtualDevice, outcome: 'success' | ConnectFailure['reason']): void
  disconnected(device: VirtualDevice, reason: CloseReason): void
  /**
   * A telemetry message handed to MQTT; `seq` is the device's telemetry sequence number, `wireSeq` the
   * payload's own number when it has one besides (a Sparkplug DDATA's 0..255 seq).
   */
  published(device: VirtualDevice, bytes: number, seq?: number, wireSeq?: number): void
  /**
   * Every produced sample, with what its message became: `tsDevice` is its ts after clock skew,
   * `messageFaultIds` the message-level faults that touched it (shared and empty when none: read only).
   */
  sampled(device: VirtualDevice, sample: Sample, seq: number, tsDevice: number, messageFaultIds: readonly string[]): void
  droppedOffline(device: VirtualDevice): void
  /** Trace context for the MQTT 5 user properties of this device's telemetry (undefined: none). */
  traceContext?(device: VirtualDevice): Record<string, string> | undefined
  commandReceived(device: VirtualDevice, name: string, status: CommandReply['status']): void
}

export interface DeviceEnvironment {
  clock: Clock
  seed: number
  /**
   * The run's start (signal time 0), read when the device starts: a fleet makes its devices before
   * the run starts and sets this then, so the connect ramp is not held up by making them.
   */
  runStartMs: number
  brokerUrl: string
  linkFactory: LinkFactory
  firmware: FirmwareMachine
  hooks: DeviceHooks
  brokerUsername?: string
  brokerPassword?: string
}

/**
 * One emulated device: a firmware actor (from its firmware model) and a device actor (connectivity,
 * battery, sensors), bound to an MQTT link through `machine.provide()`, plus a sampler on the clock.
 */
export class VirtualDevice {
  readonly id: string
  private readonly env: DeviceEnvironment
  private readonly profile: DeviceProfile
  private readonly link: DeviceLink
  private readonly firmware: MachineRunner<VirtualDevice>
  private readonly machine: MachineRunner<VirtualDevice>
  private readonly sampler: Sampler
  private readonly battery: BatteryModel | undefined
  /** Topics, payloads, will and greetings: the profile's `topics.convention` (generic or Sparkplug). */
  private readonly convention: PublishingConvention
  private readonly firmwareReportTopic: string | undefined
  private readonly commands: CommandHandler
  /** Offline buffer: messages kept to be sent on reconnect (in order, with their seq). */
  private readonly buffer: OfflineBuffer
  private readonly outbound = new OutboundPipeline((m) => this.deliver(m))
  private states: DeviceStates = { firmware: 'off', connectivity: 'offline', battery: 'mains', sensors: 'ok' }
  private seq = 0
  private crashTimer: TimerHandle | undefined
  /** Failed connection attempts since the last success (the backoff's exponent). */
  private backoffAttempt = 0
  private backoffTimer: TimerHandle | undefined
  private lastSampleValue: Sample | undefined
  private started = false
  private networkDownCount = 0
  // Made on first use (faults only): a device carries no empty Maps and Sets, ~200 bytes each.
  private shapingByFault: Map<string, LinkShaping> | undefined
  /** The profile's own network conditions (`connectivity.network`), under any fault's. */
  private readonly baseShaping: LinkShaping | undefined
  private closeListeners: Set<(reason: CloseReason) => void> | undefined
  private stateListeners: Set<(region: DeviceRegion, from: string, to: string) => void> | undefined
  /** Streams most devices never draw from (backoff, crashes, OTA) are made on first use: less heap per device. */
  private readonly lazyStreams = new LazyStreams((purpose) => deriveStream(this.env.seed, this.id, purpose))
  /** Active `ota-failure` faults: fault id → the stage it breaks. */
  private otaFailures: Map<string, OtaStage> | undefined
  private fwVersion: string
  /** A version installed by a `firmware-rollout` fault, over the firmware model's own. */
  private versionOverride: string | undefined
  private shadow: ShadowSync | undefined
  /** Why the device's machines stopped, when one threw (see machineFailed). */
  failure: string | undefined
  /** What the link, the convention, the command handler and the sampler call back into (one object, no closures). */
  private readonly host: DeviceHost

  constructor(
    readonly identity: DeviceIdentity,
    env: DeviceEnvironment,
  ) {
    this.id = identity.id
    this.env = env
    this.host = new VirtualDevice.Host(this)
    const profile = (this.profile = identity.profile)
    const stream = (purpose: string) => deriveStream(env.seed, identity.id, purpose)
    const vars = { id: identity.id, group: identity.group, profile: profile.name }
    this.firmwareReportTopic = profile.firmware.reportTopic === undefined ? undefined : expandTemplate(profile.firmware.reportTopic, vars)
    this.fwVersion = profile.firmware.version
    const boot = stream('boot')
    this.battery = profile.battery ? new BatteryModel(profile.battery, boot, profile.battery.charging && stream('charging')) : undefined
    const c = profile.connectivity
    this.link = env.linkFactory(
      {
        url: env.brokerUrl,
        clientId: identity.id,
        keepaliveSec: Math.max(1, Math.round(c.keepalive / 1000)),
        connectTimeoutMs: c.connectTimeout,
        protocolVersion: c.protocolVersion,
        clean: true,
        username: profile.credentials?.username !== undefined ? expandTemplate(profile.credentials.username, vars) : env.brokerUsername,
        password: profile.credentials?.password !== undefined ? expandTemplate(profile.credentials.password, vars) : env.brokerPassword,
        will: () => this.convention.will(),
        // Made on first draw: only network conditions (jitter, loss) draw from it.
        random: () => this.lazyStreams.get('shaping').next(),
      },
      this.host,
    )
    this.baseShaping = c.network === undefined ? undefined : networkShaping(resolveNetwork(c.network, c.link))
    if (this.baseShaping) this.applyShaping()
    this.convention = createConvention(profile, vars, this.host)
    this.buffer = new OfflineBuffer(profile.connectivity.offlineBuffer, this.convention)
    this.sampler = new Sampler(profile, (purpose) => stream(`signal:${purpose}`), env.clock, env.runStartMs, stream('sample-jitter'), boot.uniform(0, profile.telemetry.period), this.host)
    this.commands = new CommandHandler(this.host)
    this.machine = this.createDeviceActor()
    this.firmware = this.createFirmwareActor()
  }

  /** Powers the device on: firmware boots, then connects. */
  start(): void {
    if (this.started) return
    this.started = true
    this.machine.start()
    this.firmware.start()
    this.sampler.start(this.env.runStartMs)
  }

  /** Clean shutdown: status `offline` (retained) or Sparkplug NDEATH, MQTT DISCONNECT, timers cleared. */
  async stop(): Promise<void> {
    this.sampler.stop()
    this.clearCrashTimer()
    if (this.link.connected) this.convention.goodbye()
    this.machine.send({ type: 'link.stop' })
    await this.link.end()
    this.firmware.stop()
    this.machine.stop()
  }

  get currentStates(): Readonly<DeviceStates> {
    return this.states
  }

  get batteryPercent(): number | undefined {
    return this.battery?.percent
  }

  /** The firmware version running now (it changes with OTA updates). */
  get firmwareVersion(): string {
    return this.fwVersion
  }

  /** The telemetry period in force (the profile's, unless a `config-set` command changed it). */
  get samplePeriodMs(): number {
    return this.sampler.samplePeriodMs
  }

  /** Changes the telemetry period at run time; `undefined` restores the profile's. */
  setSamplePeriod(periodMs: number | undefined): void {
    this.sampler.setPeriod(periodMs ?? this.profile.telemetry.period)
  }

  /**
   * Handles a command as if it had arrived on the device's commands topic (replies are published on
   * the reply topic as usual); `listener` gets every reply to it, as it is sent.
   */
  command(command: Command, listener?: ReplyListener): void {
    this.commands.handle(command, listener)
  }

  get lastSample(): Sample | undefined {
    const s = this.lastSampleValue
    return s && this.sampler.isScratch(s) ? copySample(s) : s
  }

  get publishedSeq(): number {
    return this.seq
  }

  /** The topic this device publishes telemetry on (its profile's template expanded; Sparkplug: its DDATA topic). */
  get telemetryTopic(): string {
    return this.convention.telemetryTopic
  }

  /** The profile's `topics.convention`: `generic` (JSON) or `sparkplug`. */
  get telemetryConvention(): PublishingConvention['kind'] {
    return this.convention.kind
  }

  get bytesPublished(): number {
    return this.link.bytesPublished
  }

  // --- fault surface (used by src/faults) -------------------------------------------------------

  /**
   * Network loss: the session drops uncleanly (last will) and connects fail until it returns.
   * Counted, so overlapping faults keep the network down until the last one ends.
   */
  setNetworkDown(down: boolean): void {
    const before = this.networkDownCount
    this.networkDownCount = Math.max(0, before + (down ? 1 : -1))
    if ((before === 0) !== (this.networkDownCount === 0)) this.link.setNetworkDown(this.networkDownCount > 0)
  }

  /** Network conditions from one fault; all active ones combine (see combineShaping). `undefined` removes it. */
  setShaping(faultId: string, shaping: LinkShaping | undefined): void {
    if (shaping) (this.shapingByFault ??= new Map()).set(faultId, shaping)
    else this.shapingByFault?.delete(faultId)
    this.applyShaping()
  }

  /** The link's conditions: every active fault's, over the profile's own network. */
  private applyShaping(): void {
    const parts = this.shapingByFault ? [...this.shapingByFault.values()] : []
    if (this.baseShaping) parts.push(this.baseShaping)
    this.link.setShaping(combineShaping(parts))
  }

  /** Called when a live session ends, with why; returns an unsubscribe. */
  onSessionClosed(listener: (reason: CloseReason) => void): () => void {
    const listeners = (this.closeListeners ??= new Set())
    listeners.add(listener)
    return () => listeners.delete(listener)
  }

  /** Called on every state change of any region; returns an unsubscribe. */
  onStateChange(listener: (region: DeviceRegion, from: string, to: string) => void): () => void {
    const listeners = (this.stateListeners ??= new Set())
    listeners.add(listener)
    return () => listeners.delete(listener)
  }

  /** If backing off, retry now (a fleet of these at once is a reconnect storm). */
  retryNow(): void {
    this.machine.send({ type: 'link.retry' })
  }

  /** Drops the live session and reconnects at once; the client resends what was never acknowledged. */
  bounce(): void {
    this.machine.send({ type: 'link.bounce' })
  }

  get hasBattery(): boolean {
    return this.battery !== undefined
  }

  /** Adds (or with a negative value removes) extra battery current, mA. */
  addBatteryDrain(extraMa: number): void {
    if (this.battery) this.battery.extraMa = Math.max(0, this.battery.extraMa + extraMa)
  }

  /** A clean, deliberate disconnect (status offline or NDEATH, then DISCONNECT); the device then backs off and retries. */
  disconnectCleanly(): void {
    if (!this.link.connected) return
    this.convention.goodbye()
    void this.link.end().then(() => this.machine.send({ type: 'link.closed' }))
    this.env.hooks.disconnected(this, 'ended')
  }

  attachValueFault(fault: ValueFault): void {
    this.sampler.attach(fault)
    this.machine.send({ type: 'sensors.faulted' })
  }

  detachValueFault(faultId: string): void {
    this.sampler.detach(faultId)
    if (this.sampler.activeFaults.length === 0) this.machine.send({ type: 'sensors.recovered' })
  }

  lastCleanValue(sensor: string): number | undefined {
    return this.sampler.lastCleanValue(sensor)
  }

  /** Attaches a message-level telemetry fault (see OutboundFault). */
  attachOutboundFault(fault: OutboundFault): void {
    this.outbound.attach(fault)
  }

  /** Detaches it; whatever it still holds is sent on. */
  detachOutboundFault(faultId: string): void {
    this.outbound.detach(faultId)
  }

  sendFirmwareEvent(type: 'command.reboot' | 'firmware.crash' | 'firmware.hang' | 'power.off' | 'power.on'): void {
    this.firmware.send({ type })
  }

  /** The message counter restarts: the next telemetry message has `seq` 1 (RAM counters lost in a crash). */
  resetSeq(): void {
    this.seq = 0
  }

  /**
   * Runs `version` instead of the firmware model's own version (a fleet rollout that bypasses the
   * model's OTA path); `undefined` goes back to the model's.
   */
  setFirmwareVersionOverride(version: string | undefined): void {
    this.versionOverride = version
    this.fwVersion = version ?? (this.firmware.getSnapshot().context as FirmwareContext).version
  }

  /**
   * Makes OTA updates fail at `stage` while fault `faultId` lasts (`undefined` ends it). With several
   * at once, the earliest stage wins: an update meets it first.
   */
  setOtaFailure(faultId: string, stage: OtaStage | undefined): void {
    const failures = (this.otaFailures ??= new Map())
    if (stage) failures.set(faultId, stage)
    else failures.delete(faultId)
    const active = new Set(failures.values())
    const effective = (['download', 'verify', 'boot'] as const).find((s) => active.has(s))
    this.firmware.send({ type: 'ota.fault', ...(effective && { stage: effective }) } satisfies FirmwareEvent)
  }

  // --- wiring -------------------------------------------------------------------------------

  /**
   * Machines are bound to devices with `machine.provide()` once per firmware model, not per device:
   * provide() rebuilds the whole state-node tree (~24 KB), so the bound actions find their device
   * through the runner that runs them (`self`, a MachineRunner whose owner is the device).
   */
  private static sharedDeviceLogic: typeof deviceMachine | undefined
  private static readonly firmwareLogic = new WeakMap<FirmwareMachine, AnyStateMachine>()

  private static deviceLogic(): typeof deviceMachine {
    return (VirtualDevice.sharedDeviceLogic ??= deviceMachine.provide({
      actions: {
        openLink: ({ self }) => of(self).link.connect(),
        endLink: () => {},
        dropLink: ({ self }) => of(self).link.drop(),
        onOnline: ({ self }) => of(self).onOnline(),
        resetAttempts: ({ self }) => void (of(self).backoffAttempt = 0),
        startBackoff: ({ self }) => of(self).startBackoff(),
        cancelBackoff: ({ self }) => of(self).cancelBackoff(),
        powerOff: ({ self }) => of(self).firmware.send({ type: 'power.off' }),
        powerOn: ({ self }) => of(self).firmware.send({ type: 'power.on' }),
      },
    }))
  }

  private static firmwareLogicFor(model: FirmwareMachine): AnyStateMachine {
    const cached = VirtualDevice.firmwareLogic.get(model)
    if (cached) return cached
    assertRunnable(model)
    const logic: AnyStateMachine = model.provide({
      actions: {
        notifyUp: ({ self, context }: { self: unknown; context: FirmwareContext }) => {
          const d = of(self)
          d.commands.firmwareUp(context.version)
          d.machine.send({ type: 'power.up' })
          d.scheduleSpontaneousCrash()
        },
        notifyDown: ({ self }: { self: unknown }) => {
          const d = of(self)
          d.clearCrashTimer()
          d.machine.send({ type: 'power.down' })
        },
        applyConfig: ({ self, context }: { self: unknown; context: FirmwareContext }) => of(self).applyConfig(context.config),
        reportFirmware: ({ self, context }: { self: unknown; context: FirmwareContext }) => of(self).publishFirmwareReport(context),
        otaProgress: ({ self }: { self: unknown }, p: { cmdId: string; progress: number }) => of(self).commands.progress(p.cmdId, p.progress),
        otaFinished: ({ self }: { self: unknown }, p: { cmdId: string; status: 'done' | 'failed'; reason: string; version: string }) =>
          of(self).commands.finished(p.cmdId, p.status, p.reason, p.version),
      },
    })
    VirtualDevice.firmwareLogic.set(model, logic)
    return logic
  }

  private createDeviceActor(): MachineRunner<VirtualDevice> {
    const input = { hasBattery: this.battery !== undefined, connectTimeoutMs: this.profile.connectivity.connectTimeout }
    return new MachineRunner(
      VirtualDevice.deviceLogic(),
      this.env.clock,
      input,
      this,
      (snap) => {
        const v = snap.value as { connectivity: string; battery: string; sensors: string }
        this.setState('connectivity', v.connectivity)
        this.setState('battery', v.battery)
        this.setState('sensors', v.sensors)
      },
      (error) => this.machineFailed(error),
    )
  }

  private createFirmwareActor(): MachineRunner<VirtualDevice> {
    const fw = this.profile.firmware
    const input = {
      version: fw.version,
      bootTimeMs: fw.bootTime,
      watchdogMs: fw.watchdog,
      rebootDelayMs: fw.rebootDelay,
      ota: {
        downloadBytesPerSec: fw.otaDownloadBytesPerSec,
        progressIntervalMs: fw.otaProgressInterval,
        imageBytes: fw.otaImageBytes,
        verifyTimeMs: fw.otaVerifyTime,
        applyTimeMs: fw.otaApplyTime,
        healthCheckMs: fw.otaHealthCheck,
        verifyFailureRate: fw.otaVerifyFailureRate,
        bootFailureRate: fw.otaBootFailureRate,
      },
    }
    // Models may nest states (running.idle); the fleet tracks the top-level one.
    return new MachineRunner(
      VirtualDevice.firmwareLogicFor(this.env.firmware),
      this.env.clock,
      input,
      this,
      (snap) => {
        const version = this.versionOverride ?? (snap.context as FirmwareContext).version
        if (version !== this.fwVersion) this.convention.firmwareVersion(version)
        this.fwVersion = version
        this.setState('firmware', typeof snap.value === 'string' ? snap.value : Object.keys(snap.value as object)[0]!)
      },
      (error) => this.machineFailed(error),
    )
  }

  /**
   * A machine threw (a bug in a firmware model, say): the device stops as if its power failed — no
   * telemetry, session dropped (the broker publishes its will) — and its firmware region reads
   * `error`, which the fleet counts and reports. The rest of the fleet runs on.
   */
  private machineFailed(error: unknown): void {
    this.failure ??= error instanceof Error ? error.message : String(error)
    this.sampler.stop()
    this.clearCrashTimer()
    this.link.drop()
    this.firmware.stop()
    this.machine.stop()
    this.setState('firmware', 'error')
    this.setState('connectivity', 'offline')
  }

  /**
   * The device as its parts see it: the link's listener, the convention's and command handler's host,
   * the sampler's owner. Methods on one small object per device instead of a closure per callback
   * (~1.5 KB of heap per device at fleet scale); inside the class, so it may reach the device's insides.
   */
  private static readonly Host = class implements DeviceHost {
    constructor(private readonly d: VirtualDevice) {}

    get id(): string {
      return this.d.id
    }
    get link(): DeviceLink {
      return this.d.link
    }
    get clock(): Clock {
      return this.d.env.clock
    }
    get firmwareEvents(): ReadonlySet<string> {
      return VirtualDevice.eventsOf(this.d.env.firmware)
    }
    get sensors(): readonly string[] {
      return sensorNames(this.d.profile)
    }

    // LinkListener
    onConnected(): void {
      this.d.onLinkConnected()
    }
    onConnectFailed(failure: ConnectFailure): void {
      this.d.onLinkFailed(failure)
    }
    onClosed(reason: CloseReason): void {
      this.d.onLinkClosed(reason)
    }
    onMessage(topic: string, payload: Buffer): void {
      this.d.convention.message(topic, payload)
    }

    // ConventionHost
    command(payload: Buffer): void {
      this.d.commands.handle(payload)
    }
    shadowDesired(payload: Buffer): string | undefined {
      const d = this.d
      return (d.shadow ??= d.createShadow()).desired(payload)
    }
    reboot(): boolean {
      const ok = this.d.canFirmware({ type: 'command.reboot' })
      if (ok) this.d.firmware.send({ type: 'command.reboot' })
      return ok
    }
    counted(name: string, status: CommandReply['status']): void {
      this.d.env.hooks.commandReceived(this.d, name, status)
    }

    // CommandHost
    firmwareState(): string {
      return this.d.states.firmware
    }
    firmwareContext(): FirmwareContext {
      return this.d.firmware.getSnapshot().context as FirmwareContext
    }
    canFirmware(event: FirmwareEvent): boolean {
      return this.d.canFirmware(event)
    }
    sendFirmware(event: FirmwareEvent): void {
      this.d.firmware.send(event)
    }
    publishReply(reply: CommandReply, onFlushed?: () => void): boolean {
      return this.d.convention.publishReply(reply, onFlushed)
    }
    otaRolls(): { verifyRoll: number; bootRoll: number } {
      const ota = this.d.lazyStreams.get('ota')
      return { verifyRoll: ota.next(), bootRoll: ota.next() }
    }
    seq(): number {
      return this.d.seq
    }

    // SamplerOwner
    ticked(sample: Sample | undefined, elapsedMs: number): void {
      this.d.onTick(sample, elapsedMs)
    }
    producing(): boolean {
      return this.d.states.firmware === 'running'
    }
    reusable(): boolean {
      return this.d.consumesSampleNow()
    }
  }

  /** Event types a firmware model handles anywhere, per model: which commands its devices support. */
  private static eventsOf(model: FirmwareMachine): ReadonlySet<string> {
    let events = VirtualDevice.modelEvents.get(model)
    if (!events) VirtualDevice.modelEvents.set(model, (events = new Set(model.root.events.map(String))))
    return events
  }

  /** Event types a firmware model handles anywhere, per model: which commands its devices support. */
  private static readonly modelEvents = new WeakMap<FirmwareMachine, ReadonlySet<string>>()

  private createShadow(): ShadowSync {
    return new ShadowSync({
      clock: this.env.clock,
      firmwareModel: this.profile.firmware.model,
      sensors: Object.keys(this.profile.sensors),
      configurable: () => this.commands.supported.includes('config-set'),
      firmwareState: () => this.states.firmware,
      canFirmware: (event) => this.canFirmware(event),
      sendFirmware: (event) => this.firmware.send(event),
      setSamplePeriod: (ms) => this.setSamplePeriod(ms),
    })
  }

  /** Whether the firmware, as it is now, takes this event. */
  private canFirmware(event: FirmwareEvent): boolean {
    return (this.firmware.getSnapshot() as { can(e: FirmwareEvent): boolean }).can(event)
  }

  private applyConfig(config: FirmwareConfig): void {
    this.setSamplePeriod(config.samplePeriodMs)
  }

  /** The retained firmware report, when the profile names a topic for it and the device is online. */
  private publishFirmwareReport(fw: FirmwareContext): void {
    if (this.firmwareReportTopic === undefined || !this.link.connected) return
    this.link.publish(this.firmwareReportTopic, encodeFirmwareReport(fw), { qos: 1, retain: true })
  }

  /**
   * Backing off after a failed or lost connection: a delay within [ceiling·(1−jitter), ceiling], ceiling
   * = min(max, initial·multiplier^attempt), drawn from the device's seeded `network` stream; then
   * `link.retry`. The device keeps this timer, not its machine: the draw is the device's own.
   */
  private startBackoff(): void {
    const backoff = this.profile.connectivity.backoff
    const ceiling = Math.min(backoff.max, backoff.initial * backoff.multiplier ** this.backoffAttempt)
    const delayMs = Math.round(ceiling * (1 - backoff.jitter * this.lazyStreams.get('network').next()))
    this.backoffAttempt++
    this.cancelBackoff()
    this.backoffTimer = this.env.clock.setTimeout(() => {
      this.backoffTimer = undefined
      this.machine.send({ type: 'link.retry' })
    }, delayMs)
  }

  private cancelBackoff(): void {
    if (this.backoffTimer !== undefined) this.env.clock.clearTimeout(this.backoffTimer)
    this.backoffTimer = undefined
  }

  private scheduleSpontaneousCrash(): void {
    const perHour = this.profile.firmware.crashesPerHour
    if (perHour <= 0) return
    const delay = (-Math.log(1 - this.lazyStreams.get('firmware').next()) / perHour) * 3_600_000
    this.crashTimer = this.env.clock.setTimeout(() => this.firmware.send({ type: 'firmware.crash' }), delay)
  }

  private clearCrashTimer(): void {
    if (this.crashTimer !== undefined) this.env.clock.clearTimeout(this.crashTimer)
    this.crashTimer = undefined
  }

  private setState(region: DeviceRegion, to: string): void {
    const from = this.states[region]
    if (from === to) return
    this.states = { ...this.states, [region]: to }
    // The firmware hears when its session comes and goes (OTA downloads pause, health checks pass).
    if (region === 'connectivity' && (to === 'online' || from === 'online')) this.firmware.send({ type: to === 'online' ? 'link.online' : 'link.offline' })
    this.env.hooks.stateChanged(this, region, from, to)
    if (this.stateListeners) for (const l of this.stateListeners) l(region, from, to)
  }

  private onLinkConnected(): void {
    this.env.hooks.connectAttempt(this, 'success')
    this.machine.send({ type: 'link.connected' })
  }

  private onLinkFailed(f: ConnectFailure): void {
    this.env.hooks.connectAttempt(this, f.reason)
    this.machine.send({ type: 'link.failed' })
  }

  private onLinkClosed(reason: CloseReason): void {
    this.convention.lost()
    this.env.hooks.disconnected(this, reason)
    if (this.closeListeners) for (const l of [...this.closeListeners]) l(reason)
    this.machine.send({ type: 'link.closed' })
  }

  private onOnline(): void {
    this.convention.online()
    this.publishFirmwareReport(this.firmware.getSnapshot().context as FirmwareContext)
    this.commands.flush()
    // Store-and-forward: sent late, in order (Sparkplug flags them is_historical).
    while (this.buffer.length > 0 && this.convention.canPublish) this.send(this.buffer.shift()!, true)
  }

  private onTick(sample: Sample | undefined, elapsedMs: number): void {
    if (sample) {
      this.seq++
      this.lastSampleValue = sample
      if (this.takesFastLane()) this.sendUnread(sample)
      else this.sendSample(sample)
    }
    // Messages are charged where they are published (send), so held, burst and buffered ones count too.
    if (this.battery) this.tickBattery(elapsedMs)
  }

  /**
   * Whether a sample now is done with by the end of its tick: no message fault may hold it and it is
   * published (encoded) at once rather than kept in the offline buffer. The sampler then reuses one
   * sample object, and the message is the shared scratch one: at 1 msg/s a sample lives a whole
   * period (as the last sample), so a new one each tick is old-generation garbage.
   */
  private consumesSampleNow(): boolean {
    return this.outbound.size === 0 && this.convention.canPublish
  }

  /** Whether a sample now would take the fast lane (see sendUnread). */
  private takesFastLane(): boolean {
    return this.link.sendsUnread === true && this.consumesSampleNow()
  }

  /**
   * The fast lane of virtual-time datasets: no message fault to meet and a link that would hand the
   * message straight to a far end that reads nothing. What publishing it would change — the counts
   * and the battery — changes, in the same order, without building the message (a dataset makes
   * millions; this lane made the per-sample path ~25% cheaper with byte-identical output).
   */
  private sendUnread(sample: Sample): void {
    this.env.hooks.published(this, 0, this.seq, undefined)
    if (this.battery && this.states.battery !== 'dead') this.updateBattery(this.battery.drain(0, 1, this.sampler.lastTickRelMs))
    this.env.hooks.sampled(this, sample, this.seq, sample.ts, NO_FAULT_IDS)
  }

  /** A sample as a message, through the message faults to the link (or the offline buffer). */
  private sendSample(sample: Sample): void {
    const battery = this.battery ? Math.round(this.battery.percent * 10) / 10 : undefined
    const fw = this.profile.firmware.versionInTelemetry ? this.fwVersion : undefined
    if (this.sampler.isScratch(sample) && this.consumesSampleNow()) {
      // Published within this call: the shared message, written over.
      const m = SCRATCH_MESSAGE
      m.topic = this.convention.telemetryTopic
      m.qos = this.profile.telemetry.qos
      const f = m.fields
      f.ts = sample.ts
      f.seq = this.seq
      f.values = sample.values
      f.battery = battery
      f.fw = fw
      m.sample = sample
      this.send(m, false)
      // Nothing of this device's stays reachable from the shared message.
      f.values = EMPTY_VALUES
      m.sample = EMPTY_SAMPLE
      this.env.hooks.sampled(this, sample, this.seq, sample.ts, NO_FAULT_IDS)
      return
    }
    // A message may be kept (a fault, the offline buffer): never the reused sample.
    if (this.sampler.isScratch(sample)) sample = copySample(sample)
    const message: OutboundMessage = {
      topic: this.convention.telemetryTopic,
      qos: this.profile.telemetry.qos,
      fields: { ts: sample.ts, seq: this.seq, values: sample.values, battery },
      faultIds: [],
      sample,
    }
    if (fw !== undefined) message.fields.fw = fw
    this.outbound.send(message)
    this.env.hooks.sampled(this, sample, this.seq, message.fields.ts, message.faultIds)
  }

  /** Per sampler tick, even while off: drain (or, dead, only charge) for the time since the last one. */
  private tickBattery(elapsedMs: number): void {
    const battery = this.battery!
    const relMs = this.sampler.lastTickRelMs
    if (this.states.battery !== 'dead') return this.updateBattery(battery.drain(elapsedMs, 0, relMs))
    battery.drain(elapsedMs, 0, relMs, false)
    if (!battery.canResume) return
    // Charged enough to boot: back to ok (the firmware powers on), then to the level it is really at.
    this.machine.send({ type: 'battery.charged' })
    const level = battery.level()
    if (level !== 'ok') this.updateBattery(level)
    else if (this.profile.battery?.lowSamplePeriod !== undefined) this.applyConfig((this.firmware.getSnapshot().context as FirmwareContext).config)
  }

  /** The end of the outbound pipeline: publish, or keep in the offline buffer, or drop. */
  private deliver(message: OutboundMessage): void {
    if (this.convention.canPublish) return this.send(message, false)
    if (!this.buffer.push(message)) this.env.hooks.droppedOffline(this)
  }

  private updateBattery(level: BatteryLevel): void {
    const from = this.states.battery
    if (level === from) return
    this.machine.send({ type: `battery.${level === 'ok' ? 'charged' : level}` })
    // Power saving: the firmware samples slower once low (critical keeps it); charged back to ok, it
    // returns to its configured period (a config-set's, else the profile's).
    const savingMs = this.profile.battery?.lowSamplePeriod
    const saving = from === 'ok' && (level === 'low' || level === 'critical')
    if (savingMs === undefined || (!saving && level !== 'ok')) return
    if (saving) this.setSamplePeriod(savingMs)
    else this.applyConfig((this.firmware.getSnapshot().context as FirmwareContext).config)
  }

  /** Publishes one telemetry message; each one published is charged `perMessageMah`, whenever it goes out. */
  private send(message: OutboundMessage, historical: boolean): void {
    const out = this.convention.encodeTelemetry(message, historical)
    if (!out) return
    // Told before the link has it: an in-process link delivers within publish(), and the delivery
    // probe must know of a message before it is delivered.
    this.env.hooks.published(this, out.payload.length, message.fields.seq, out.wireSeq)
    this.link.publish(out.topic, out.payload, { qos: out.qos, userProperties: this.env.hooks.traceContext?.(this) })
    if (this.battery && this.states.battery !== 'dead') this.updateBattery(this.battery.drain(0, 1, this.sampler.lastTickRelMs))
  }

}

/** What a device is to its link, convention, command handler and sampler. */
type DeviceHost = LinkListener & ConventionHost & CommandHost & SamplerOwner

const sensorNamesByProfile = new WeakMap<DeviceProfile, readonly string[]>()
/** A profile's sensor names, one array for all its devices. */
function sensorNames(profile: DeviceProfile): readonly string[] {
  let names = sensorNamesByProfile.get(profile)
  if (!names) sensorNamesByProfile.set(profile, (names = Object.freeze(Object.keys(profile.sensors))))
  return names
}

/** The device a bound action runs for: its runner's owner. */
function of(self: unknown): VirtualDevice {
  return (self as MachineRunner<VirtualDevice>).owner
}

/** A copy of the sampler's reused sample (clean: its values are its clean ones), which changes every tick. */
function copySample(s: Sample): Sample {
  const clean = { ...s.clean }
  return { ts: s.ts, tRelMs: s.tRelMs, values: clean, clean, faultIds: s.faultIds }
}
