import { setup } from 'xstate'

/**
 * The small kit firmware models build on (firmware-models/*.machine.ts import only this and xstate).
 *
 * A firmware model is a pure XState machine. It never touches the network: it says what happens
 * through named actions (`notifyUp`, `notifyDown`, `otaFinished`, …) that each virtual device binds
 * with `machine.provide()`. Its timers (`bootTime`, `watchdog`, `rebootDelay`, the OTA stages) are
 * delays read from its context, and run on the fleet's Clock. Randomness never happens inside a model:
 * the device draws from its own seeded stream and passes the draws in events (`command.ota` carries
 * `verifyRoll` and `bootRoll`), so a model's behaviour is a function of its events alone.
 */

/** Where an OTA update can be made to fail (the `ota-failure` fault kind). */
export type OtaStage = 'download' | 'verify' | 'boot'

/** OTA timings and seeded failure rates, from the profile's `firmware` block. */
export interface OtaSettings {
  /** Download speed while online. */
  downloadBytesPerSec: number
  /** A progress reply every this long while downloading. */
  progressIntervalMs: number
  /** Image size when the command does not give `sizeBytes`. */
  imageBytes: number
  verifyTimeMs: number
  applyTimeMs: number
  /** How long the new version has, after its first boot, to connect before it is rolled back. */
  healthCheckMs: number
  /** Chance that the downloaded image fails verification (compared with the command's `verifyRoll`). */
  verifyFailureRate: number
  /** Chance that the new version fails its first boot (compared with the command's `bootRoll`). */
  bootFailureRate: number
}

export const OTA_DEFAULTS: Readonly<OtaSettings> = {
  downloadBytesPerSec: 262_144,
  progressIntervalMs: 1_000,
  imageBytes: 1_048_576,
  verifyTimeMs: 1_000,
  applyTimeMs: 3_000,
  healthCheckMs: 30_000,
  verifyFailureRate: 0,
  bootFailureRate: 0,
}

export interface FirmwareInput {
  version: string
  bootTimeMs: number
  watchdogMs: number
  rebootDelayMs?: number
  ota?: Partial<OtaSettings>
}

export interface SensorThreshold {
  min?: number
  max?: number
}

/** Settings a `config-set` command changes and a `factory-reset` clears. */
export interface FirmwareConfig {
  /** Telemetry period; undefined = the profile's. */
  samplePeriodMs?: number
  /** Alarm thresholds per sensor (stored and reported; they do not change telemetry). */
  thresholds?: Readonly<Record<string, SensorThreshold>>
}

/** An OTA update in progress. */
export interface OtaUpdate {
  /** The command that started it: progress and the final reply go to this id. */
  cmdId: string
  /** The version being installed. */
  version: string
  /** The version running when it started (what a rollback returns to). */
  fromVersion: string
  url?: string
  sha256?: string
  sizeBytes: number
  /** Bytes downloaded so far; kept while offline (the download resumes from here). */
  downloadedBytes: number
  /** `trial-pending`: applied, not booted yet; `trial`: booted once, not yet committed. */
  stage: 'downloading' | 'verifying' | 'applying' | 'trial-pending' | 'trial'
  /** Uniform [0, 1) draws from the device's seeded `ota` stream. */
  verifyRoll: number
  bootRoll: number
  /** Why the trial failed (set just before rolling back). */
  failure?: string
}

/** How the last OTA update ended. */
export interface OtaResult {
  cmdId: string
  version: string
  status: 'done' | 'failed'
  reason: string
}

export interface FirmwareContext {
  /** The version running (or booting). */
  version: string
  bootTimeMs: number
  watchdogMs: number
  rebootDelayMs: number
  /** Boots since the device was created (1 after the first boot). */
  boots: number
  crashes: number
  hangs: number
  /** The version before the last committed update. */
  previousVersion: string | undefined
  /** Whether the device's MQTT session is up (`link.online` / `link.offline`). */
  online: boolean
  config: FirmwareConfig
  ota: OtaSettings
  update: OtaUpdate | undefined
  lastUpdate: OtaResult | undefined
  /** Set by the `ota-failure` fault: updates fail at this stage while it lasts. */
  otaFailure: OtaStage | undefined
}

/** Events a firmware model may handle. Dotted lowercase names (STYLE.md). */
export type FirmwareEvent =
  | { type: 'command.reboot' }
  /** The firmware crashes (a fault, or a seeded spontaneous crash); the watchdog reboots it. */
  | { type: 'firmware.crash' }
  /** The firmware hangs (stops doing anything); the watchdog reboots it. */
  | { type: 'firmware.hang' }
  /** Power lost (battery dead): the device is off until power returns. */
  | { type: 'power.off' }
  | { type: 'power.on' }
  /** The device's MQTT session came up / went down. */
  | { type: 'link.online' }
  | { type: 'link.offline' }
  | { type: 'command.factory_reset' }
  | { type: 'command.config_set'; config: FirmwareConfig }
  | {
      type: 'command.ota'
      cmdId: string
      version: string
      url?: string
      sha256?: string
      sizeBytes?: number
      /** Seeded draws in [0, 1), made by the device: verification fails if below `verifyFailureRate`. */
      verifyRoll: number
      /** … and the first boot of the new version fails if below `bootFailureRate`. */
      bootRoll: number
    }
  /** The `ota-failure` fault started (`stage`) or ended (no stage) on this device. */
  | { type: 'ota.fault'; stage?: OtaStage }

/** Firmware states the rest of the fleet understands; models may add their own. */
export const FIRMWARE_STATES = ['booting', 'running', 'rebooting', 'crashed', 'off'] as const

export const firmwareSetup = setup({
  types: {
    context: {} as FirmwareContext,
    events: {} as FirmwareEvent,
    input: {} as FirmwareInput,
  },
  actions: {
    /** The firmware is up: the device may connect and sample. Bound per device. */
    notifyUp: () => {},
    /** The firmware stopped running (reboot, crash, power loss): the link dies with it. Bound per device. */
    notifyDown: () => {},
    countBoot: () => {},
    countCrash: () => {},
    /** The config in context changed: the device applies it (sample period). Bound per device. */
    applyConfig: () => {},
    /** Version or update stage changed: the device publishes its firmware report. Bound per device. */
    reportFirmware: () => {},
    /** Download progress (0–1) of the update started by command `cmdId`. Bound per device. */
    otaProgress: (_, _params: { cmdId: string; progress: number }) => {},
    /** The update started by `cmdId` ended: the command's final reply. Bound per device. */
    otaFinished: (_, _params: { cmdId: string; status: 'done' | 'failed'; reason: string; version: string }) => {},
  },
  delays: {
    bootTime: ({ context }) => context.bootTimeMs,
    watchdog: ({ context }) => context.watchdogMs,
    rebootDelay: ({ context }) => context.rebootDelayMs,
    /** The next progress step: a full interval, or what is left of the download if that is shorter. */
    otaTick: ({ context }) => otaTickMs(context),
    otaVerify: ({ context }) => context.ota.verifyTimeMs,
    otaApply: ({ context }) => context.ota.applyTimeMs,
    otaHealthCheck: ({ context }) => context.ota.healthCheckMs,
  },
})

/**
 * The next download step, ms: a full progress interval, or what is left of the image if that is
 * shorter (so a download takes exactly size / speed, rounded up to the ms).
 */
export function otaTickMs(context: FirmwareContext): number {
  const u = context.update
  const left = u ? Math.max(0, u.sizeBytes - u.downloadedBytes) : 0
  return Math.max(1, Math.min(context.ota.progressIntervalMs, Math.ceil((left / context.ota.downloadBytesPerSec) * 1000)))
}

/** Builds the initial context from input; models use it as `context: firmwareContext`. */
export function firmwareContext({ input }: { input: FirmwareInput }): FirmwareContext {
  return {
    version: input.version,
    bootTimeMs: input.bootTimeMs,
    watchdogMs: input.watchdogMs,
    rebootDelayMs: input.rebootDelayMs ?? 500,
    boots: 0,
    crashes: 0,
    hangs: 0,
    previousVersion: undefined,
    online: false,
    config: {},
    ota: { ...OTA_DEFAULTS, ...input.ota },
    update: undefined,
    lastUpdate: undefined,
    otaFailure: undefined,
  }
}

export type FirmwareMachine = ReturnType<typeof firmwareSetup.createMachine>
