import { assign as assignFrom } from 'xstate'
import { firmwareContext, firmwareSetup, otaTickMs, type FirmwareContext, type OtaUpdate } from '../src/device/kit.js'

/**
 * `ota`: versioned firmware with over-the-air updates (A/B slots), plus everything `basic` does.
 *
 *   booting --bootTime--> running.idle
 *   running.idle --command.ota--> downloading --done--> verifying --otaVerify--> applying --otaApply--> rebooting
 *     downloading: active <--link.online / link.offline--> paused   (progress kept; resumes when back online)
 *     verifying: fails (→ idle, final reply `failed`) if verifyRoll < verifyFailureRate or an ota-failure fault
 *   rebooting --rebootDelay--> booting (new version, trial)
 *     --bootTime--> running.health-check --link.online--> running.idle   (commit: final reply `done`)
 *     --bootTime, bootRoll < bootFailureRate--> rolling-back --rebootDelay--> booting (old version)
 *     health-check --otaHealthCheck--> rolling-back;  reset before commit → rolling-back on the next boot
 *   running --command.reboot / command.factory_reset--> rebooting;  --firmware.crash--> crashed;
 *   running --firmware.hang--> hung;  crashed / hung --watchdog--> rebooting
 *   any --power.off--> off --power.on--> booting
 *
 * An update interrupted before it is applied (reboot, crash, hang, power loss) ends `failed`; once
 * applied, the bootloader decides: a trial that is not committed is rolled back on its next boot.
 * Every update ends exactly once, through `otaFinished`.
 */

/** Pure conditions on the context (exported so tests can check them one by one). */
export const otaGuards = {
  isOnline: (c: FirmwareContext) => c.online,
  isOffline: (c: FirmwareContext) => !c.online,
  downloadComplete: (c: FirmwareContext) => c.update !== undefined && c.update.downloadedBytes >= c.update.sizeBytes,
  downloadFails: (c: FirmwareContext) => c.otaFailure === 'download',
  verifyFails: (c: FirmwareContext) => c.otaFailure === 'verify' || (c.update !== undefined && c.update.verifyRoll < c.ota.verifyFailureRate),
  /** First boot of a freshly applied version, and it will not come up. */
  trialBootFails: (c: FirmwareContext) => c.update?.stage === 'trial-pending' && (c.otaFailure === 'boot' || c.update.bootRoll < c.ota.bootFailureRate),
  trialPending: (c: FirmwareContext) => c.update?.stage === 'trial-pending',
  /** Booting again while the trial was never committed (it crashed, hung or was rebooted). */
  trialUncommitted: (c: FirmwareContext) => c.update?.stage === 'trial',
  /** An update that has not been applied yet: interrupting it abandons it. */
  abortable: (c: FirmwareContext) => c.update !== undefined && (c.update.stage === 'downloading' || c.update.stage === 'verifying' || c.update.stage === 'applying'),
  isNewVersion: (c: FirmwareContext, version: string) => version !== c.version,
}

const { assign, enqueueActions } = firmwareSetup

const setOnline = assign({ online: true })
const setOffline = assign({ online: false })

function withUpdate(patch: (u: OtaUpdate, c: FirmwareContext) => Partial<OtaUpdate>) {
  return assign(({ context }) => (context.update ? { update: { ...context.update, ...patch(context.update, context) } } : {}))
}

/** Ends the update in progress: records how, sends the command's final reply, forgets the update. */
function finish(status: 'done' | 'failed', reason: (u: OtaUpdate, c: FirmwareContext) => string, onlyIf: (c: FirmwareContext) => boolean = () => true) {
  return enqueueActions(({ context, enqueue }) => {
    const u = context.update
    if (!u || !onlyIf(context)) return
    const why = reason(u, context)
    enqueue.assign({ update: undefined, lastUpdate: { cmdId: u.cmdId, version: u.version, status, reason: why } })
    enqueue({ type: 'otaFinished', params: { cmdId: u.cmdId, status, reason: why, version: context.version } })
  })
}

/** Interrupting an update before it is applied abandons it. */
const abandon = (what: string) => finish('failed', (u, c) => `update to ${u.version} interrupted: ${what}; still running ${c.version}`, otaGuards.abortable)

const failed = (why: string) => finish('failed', (u, c) => `${why}; still running ${c.version}`)

const secs = (ms: number) => `${Math.round(ms / 100) / 10}s`

export const otaFirmware = firmwareSetup.createMachine({
  id: 'ota',
  context: firmwareContext,
  initial: 'booting',
  states: {
    booting: {
      entry: [assign({ boots: ({ context }) => context.boots + 1 }), 'countBoot'],
      after: {
        bootTime: [
          {
            guard: ({ context }) => otaGuards.trialBootFails(context),
            target: 'rolling-back',
            actions: withUpdate((u) => ({ failure: `${u.version} failed to boot` })),
          },
          {
            guard: ({ context }) => otaGuards.trialPending(context),
            target: 'running.health-check',
            actions: withUpdate(() => ({ stage: 'trial' })),
          },
          {
            guard: ({ context }) => otaGuards.trialUncommitted(context),
            target: 'rolling-back',
            actions: withUpdate((u) => ({ failure: `${u.version} was reset before it passed its health check` })),
          },
          { target: 'running' },
        ],
      },
    },
    running: {
      entry: 'notifyUp',
      // The session dies with the firmware; `link.offline` follows, but a trial must never see a stale `online`.
      exit: ['notifyDown', setOffline],
      initial: 'idle',
      states: {
        idle: {
          entry: 'reportFirmware',
          on: {
            'command.ota': {
              guard: ({ context, event }) => otaGuards.isNewVersion(context, event.version),
              target: 'downloading',
              actions: assignFrom(({ context, event }) => ({
                update: {
                  cmdId: event.cmdId,
                  version: event.version,
                  fromVersion: context.version,
                  ...(event.url !== undefined && { url: event.url }),
                  ...(event.sha256 !== undefined && { sha256: event.sha256 }),
                  sizeBytes: event.sizeBytes ?? context.ota.imageBytes,
                  downloadedBytes: 0,
                  stage: 'downloading' as const,
                  verifyRoll: event.verifyRoll,
                  bootRoll: event.bootRoll,
                },
              })),
            },
          },
        },
        downloading: {
          entry: 'reportFirmware',
          initial: 'active',
          states: {
            active: {
              always: [
                { guard: ({ context }) => otaGuards.downloadFails(context), target: '#ota.running.idle', actions: failed('download failed: connection reset by the update server') },
                { guard: ({ context }) => otaGuards.downloadComplete(context), target: '#ota.running.verifying', actions: withUpdate(() => ({ stage: 'verifying' })) },
                { guard: ({ context }) => otaGuards.isOffline(context), target: 'paused' },
              ],
              after: {
                otaTick: {
                  target: 'active',
                  reenter: true,
                  actions: [
                    // Bytes for the step that just ended (otaTickMs rounds up, so the last step completes the image).
                    withUpdate((u, c) => ({ downloadedBytes: Math.min(u.sizeBytes, u.downloadedBytes + Math.round((c.ota.downloadBytesPerSec * otaTickMs(c)) / 1000)) })),
                    {
                      type: 'otaProgress',
                      params: ({ context }) => ({ cmdId: context.update!.cmdId, progress: Math.floor((context.update!.downloadedBytes / context.update!.sizeBytes) * 100) / 100 }),
                    },
                  ],
                },
              },
            },
            paused: {
              on: { 'link.online': { target: 'active', actions: setOnline } },
            },
          },
          on: { 'link.offline': { target: '.paused', actions: setOffline } },
        },
        verifying: {
          entry: 'reportFirmware',
          after: {
            otaVerify: [
              { guard: ({ context }) => otaGuards.verifyFails(context), target: 'idle', actions: failed('verify failed: image checksum does not match') },
              { target: 'applying', actions: withUpdate(() => ({ stage: 'applying' })) },
            ],
          },
        },
        applying: {
          entry: 'reportFirmware',
          after: {
            otaApply: {
              target: '#ota.rebooting',
              actions: assign(({ context }) => ({ version: context.update!.version, update: { ...context.update!, stage: 'trial-pending' as const } })),
            },
          },
        },
        'health-check': {
          entry: 'reportFirmware',
          always: {
            guard: ({ context }) => otaGuards.isOnline(context),
            target: 'idle',
            actions: [assign(({ context }) => ({ previousVersion: context.update!.fromVersion })), finish('done', (_u, c) => `running ${c.version}`)],
          },
          after: {
            otaHealthCheck: {
              target: '#ota.rolling-back',
              actions: withUpdate((u, c) => ({ failure: `${u.version} failed its health check (not connected within ${secs(c.ota.healthCheckMs)})` })),
            },
          },
        },
      },
      on: {
        'command.reboot': { target: 'rebooting', actions: abandon('the device was rebooted') },
        'command.factory_reset': {
          target: 'rebooting',
          actions: [abandon('factory reset'), assign({ config: {} }), 'applyConfig'],
        },
        'command.config_set': {
          actions: [assignFrom(({ context, event }) => ({ config: mergeConfig(context.config, event.config) })), 'applyConfig', 'reportFirmware'],
        },
        'firmware.crash': { target: 'crashed', actions: abandon('the firmware crashed') },
        'firmware.hang': { target: 'hung', actions: abandon('the firmware hung') },
      },
    },
    crashed: {
      entry: [assign({ crashes: ({ context }) => context.crashes + 1 }), 'countCrash'],
      after: { watchdog: 'rebooting' },
    },
    hung: {
      entry: assign({ hangs: ({ context }) => context.hangs + 1 }),
      after: { watchdog: 'rebooting' },
    },
    rebooting: {
      after: { rebootDelay: 'booting' },
    },
    /** The bootloader boots the previous slot again; the update's command gets its `failed` reply. */
    'rolling-back': {
      entry: [assign(({ context }) => ({ version: context.update!.fromVersion })), finish('failed', (u, c) => `rolled back to ${c.version}: ${u.failure ?? 'trial failed'}`)],
      after: { rebootDelay: 'booting' },
    },
    off: {
      on: { 'power.on': 'booting' },
    },
  },
  on: {
    'power.off': { target: '.off', actions: abandon('power lost') },
    'link.online': { actions: setOnline },
    'link.offline': { actions: setOffline },
    'ota.fault': { actions: assignFrom(({ event }) => ({ otaFailure: event.stage })) },
  },
})

/** `config-set` merges: a sample period replaces the old one, thresholds are set per sensor. */
function mergeConfig(old: FirmwareContext['config'], next: FirmwareContext['config']): FirmwareContext['config'] {
  const out = { ...old }
  if (next.samplePeriodMs !== undefined) out.samplePeriodMs = next.samplePeriodMs
  if (next.thresholds !== undefined) out.thresholds = { ...old.thresholds, ...next.thresholds }
  return out
}

export default otaFirmware
