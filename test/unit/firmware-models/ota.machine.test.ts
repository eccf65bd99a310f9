import { getAdjacencyMap, getShortestPaths } from '@xstate/graph'
import { describe, expect, it } from 'vitest'
import { __unsafe_getAllOwnEventDescriptors, createActor, type SnapshotFrom } from 'xstate'
import { builtinFirmwareModels } from '../../../firmware-models/index.js'
import { otaFirmware, otaGuards } from '../../../firmware-models/ota.machine.js'
import { VirtualClock } from '../../../src/core/clock.js'
import { FIRMWARE_STATES, firmwareContext, type FirmwareContext, type FirmwareEvent, type FirmwareInput, type OtaUpdate } from '../../../src/device/kit.js'

/** A 2,000-byte image at 1,000 B/s: two progress steps of 1 s. */
const INPUT: FirmwareInput = {
  version: '1.0.0',
  bootTimeMs: 1_000,
  watchdogMs: 4_000,
  rebootDelayMs: 500,
  ota: { downloadBytesPerSec: 1_000, progressIntervalMs: 1_000, imageBytes: 2_000, verifyTimeMs: 200, applyTimeMs: 300, healthCheckMs: 5_000, verifyFailureRate: 0.1, bootFailureRate: 0.1 },
}

const OTA = {
  ok: { type: 'command.ota', cmdId: 'ok', version: '2.0.0', verifyRoll: 0.5, bootRoll: 0.5 },
  badImage: { type: 'command.ota', cmdId: 'bad-image', version: '2.0.0', verifyRoll: 0.05, bootRoll: 0.5 },
  badBoot: { type: 'command.ota', cmdId: 'bad-boot', version: '2.0.0', verifyRoll: 0.5, bootRoll: 0.05 },
  sameVersion: { type: 'command.ota', cmdId: 'same', version: '1.0.0', verifyRoll: 0.5, bootRoll: 0.5 },
} as const satisfies Record<string, FirmwareEvent>

/** Every event the graph may send, with the payload variants that matter. */
const EVENTS: FirmwareEvent[] = [
  ...Object.values(OTA),
  { type: 'ota.fault', stage: 'download' },
  { type: 'ota.fault', stage: 'verify' },
  { type: 'ota.fault', stage: 'boot' },
  { type: 'ota.fault' },
  { type: 'command.config_set', config: { samplePeriodMs: 30_000 } },
]

type Snap = SnapshotFrom<typeof otaFirmware>

/** What decides behaviour: the state, the version, the link, the fault, and the update in progress (not counters, not history). */
function serialize(s: { value: unknown; context: FirmwareContext }): string {
  const { version, online, otaFailure, update } = s.context
  const u = update && { id: update.cmdId, stage: update.stage, bytes: update.downloadedBytes }
  return JSON.stringify({ value: s.value, version, online, otaFailure, u })
}

/**
 * The events each state handles (delayed ones included), with EVENTS' payloads where they have one.
 * (A plain `events` array would replace @xstate/graph's default, which is what adds the delayed events.)
 */
const eventsFor = (s: Snap) =>
  __unsafe_getAllOwnEventDescriptors(s).flatMap((type) => {
    const given = EVENTS.filter((e) => e.type === type)
    return given.length > 0 ? given : [{ type } as FirmwareEvent]
  })

const traversal = { input: INPUT, events: eventsFor, serializeState: (s: Snap) => serialize(s) }

/** The top-level state name, as the fleet reports it. */
const top = (value: unknown) => (typeof value === 'string' ? value : Object.keys(value as object)[0]!)
const leaf = (value: unknown): string => (typeof value === 'string' ? value : Object.entries(value as object).map(([k, v]) => `${k}.${leaf(v)}`)[0]!)

/** The model with every named action recorded, on a virtual clock. */
function start(input: FirmwareInput = INPUT) {
  const clock = new VirtualClock()
  const calls: { action: string; at: number; params?: Record<string, unknown>; version?: string }[] = []
  const rec =
    (action: string) =>
    ({ context }: { context: FirmwareContext }, params?: unknown) =>
      void calls.push({ action, at: clock.now(), version: context.version, ...(params !== undefined && { params: params as Record<string, unknown> }) })
  const machine = otaFirmware.provide({
    actions: {
      notifyUp: rec('up'),
      notifyDown: rec('down'),
      countBoot: rec('boot'),
      countCrash: rec('crash'),
      applyConfig: rec('config'),
      reportFirmware: rec('report'),
      otaProgress: rec('progress'),
      otaFinished: rec('finished'),
    },
  })
  const actor = createActor(machine, { clock, input })
  actor.start()
  /** Updates the model took (it could take the `command.ota` sent). */
  const started: string[] = []
  const ctx = () => actor.getSnapshot().context
  const state = () => leaf(actor.getSnapshot().value)
  const send = (e: FirmwareEvent) => {
    if (e.type === 'command.ota' && actor.getSnapshot().can(e)) started.push(e.cmdId)
    actor.send(e)
  }
  const finished = () => calls.filter((c) => c.action === 'finished').map((c) => c.params as { cmdId: string; status: string; reason: string; version: string })
  const progress = () => calls.filter((c) => c.action === 'progress').map((c) => (c.params as { progress: number }).progress)
  return { clock, actor, calls, started, ctx, state, send, finished, progress }
}

type Rig = ReturnType<typeof start>

/** Replays a graph path: delayed events advance the clock to the (single) pending deadline. */
function replay(steps: readonly { event: { type: string }; state: Snap }[]): Rig {
  const r = start()
  for (const { event } of steps) {
    if (event.type === 'xstate.init') continue
    if (event.type.startsWith('xstate.after.')) {
      const deadline = r.clock.nextDeadline()
      expect(deadline, event.type).toBeDefined()
      r.clock.advanceBy(deadline! - r.clock.now())
    } else r.send(event as FirmwareEvent)
  }
  return r
}

/**
 * Lets a rig run to quiet: the fault ends, power returns, and whenever the firmware is up its session
 * comes up (as a device's would). Returns when the firmware sits in running.idle with nothing pending.
 */
function settle(r: Rig): void {
  r.send({ type: 'ota.fault' })
  if (r.state() === 'off') r.send({ type: 'power.on' })
  for (let i = 0; i < 200; i++) {
    if (top(r.actor.getSnapshot().value) === 'running' && !r.ctx().online) r.send({ type: 'link.online' })
    if (r.state() === 'running.idle' && r.clock.pending === 0) return
    const next = r.clock.nextDeadline()
    if (next === undefined) break
    r.clock.advanceBy(next - r.clock.now())
  }
  throw new Error(`did not settle: ${r.state()}`)
}

describe('ota firmware: path coverage (@xstate/graph)', () => {
  const paths = getShortestPaths(otaFirmware, traversal)

  it('reaches every state, and its top-level states are the fleet vocabulary plus hung and rolling-back', () => {
    const leaves = new Set(paths.map((p) => leaf(p.state.value)))
    expect([...leaves].sort()).toEqual(
      ['booting', 'crashed', 'hung', 'off', 'rebooting', 'rolling-back', 'running.applying', 'running.downloading.active', 'running.downloading.paused', 'running.health-check', 'running.idle', 'running.verifying'].sort(),
    )
    expect(new Set(paths.map((p) => top(p.state.value)))).toEqual(new Set([...FIRMWARE_STATES, 'hung', 'rolling-back']))
  })

  it('has the documented top-level transitions (collapsed over context)', () => {
    const adjacency = getAdjacencyMap(otaFirmware, traversal)
    const edges = new Set<string>()
    for (const { state, transitions } of Object.values(adjacency)) {
      for (const { event, state: next } of Object.values(transitions as Record<string, { event: { type: string }; state: Snap }>)) {
        const from = top(state.value)
        const to = top(next.value)
        if (from !== to) edges.add(`${from} --${event.type.replace(/^xstate\.after\.(\w+)\..*$/, 'after:$1')}--> ${to}`)
      }
    }
    expect([...edges].sort()).toEqual(
      [
        'booting --after:bootTime--> running',
        'booting --after:bootTime--> rolling-back',
        'booting --power.off--> off',
        'running --command.reboot--> rebooting',
        'running --command.factory_reset--> rebooting',
        'running --firmware.crash--> crashed',
        'running --firmware.hang--> hung',
        'running --after:otaApply--> rebooting',
        'running --after:otaHealthCheck--> rolling-back',
        'running --power.off--> off',
        'crashed --after:watchdog--> rebooting',
        'crashed --power.off--> off',
        'hung --after:watchdog--> rebooting',
        'hung --power.off--> off',
        'rebooting --after:rebootDelay--> booting',
        'rebooting --power.off--> off',
        'rolling-back --after:rebootDelay--> booting',
        'rolling-back --power.off--> off',
        'off --power.on--> booting',
      ].sort(),
    )
  })

  it('each shortest path, replayed on a real actor with a virtual clock, ends in its state', () => {
    expect(paths.length).toBeGreaterThan(200)
    for (const path of paths) {
      const r = replay(path.steps)
      expect(serialize(r.actor.getSnapshot()), path.steps.map((s) => s.event.type).join(' > ')).toBe(serialize(path.state))
      r.actor.stop()
    }
  })

  it('after every transition from every reachable state, each update taken ends exactly once, and the firmware gets back to running.idle', () => {
    const outcomes = new Set<string>()
    let runs = 0
    for (const path of paths) {
      for (const event of eventsFor(path.state)) {
        const r = replay([...path.steps, { event, state: path.state }])
        settle(r)
        runs++
        const ends = r.finished()
        // One end per update taken, in order (an `ota` the model did not take — same version, busy — has none).
        const where = `${path.steps.map((s) => s.event.type).join(' > ')} > ${event.type}`
        expect(ends.map((e) => e.cmdId), where).toEqual(r.started)
        expect(r.ctx().update, where).toBeUndefined()
        expect(r.state()).toBe('running.idle')
        // The link follows the firmware: up once more than down while running.
        const ups = r.calls.filter((c) => c.action === 'up').length
        const downs = r.calls.filter((c) => c.action === 'down').length
        expect(ups - downs, where).toBe(1)
        for (const e of ends) outcomes.add(`${e.status}: ${e.reason.replace(/\d+(\.\d+)*s?/g, 'N')}`)
        r.actor.stop()
      }
    }
    expect(runs).toBeGreaterThan(2_000)
    expect([...outcomes].sort()).toEqual(
      [
        'done: running N',
        'failed: download failed: connection reset by the update server; still running N',
        'failed: verify failed: image checksum does not match; still running N',
        'failed: rolled back to N: N failed to boot',
        'failed: rolled back to N: N was reset before it passed its health check',
        'failed: rolled back to N: N failed its health check (not connected within N)',
        'failed: update to N interrupted: the device was rebooted; still running N',
        'failed: update to N interrupted: factory reset; still running N',
        'failed: update to N interrupted: the firmware crashed; still running N',
        'failed: update to N interrupted: the firmware hung; still running N',
        'failed: update to N interrupted: power lost; still running N',
      ].sort(),
    )
  })
})

describe('ota firmware: guards', () => {
  const base = firmwareContext({ input: INPUT })
  const update = (over: Partial<OtaUpdate> = {}): OtaUpdate => ({ cmdId: 'c', version: '2.0.0', fromVersion: '1.0.0', sizeBytes: 100, downloadedBytes: 0, stage: 'downloading', verifyRoll: 0.5, bootRoll: 0.5, ...over })
  const ctx = (over: Partial<FirmwareContext> = {}): FirmwareContext => ({ ...base, ...over })

  it('verifyFails: below the rate (strictly), or under a verify fault; never at rate 0', () => {
    expect(otaGuards.verifyFails(ctx({ update: update({ verifyRoll: 0.0999 }) }))).toBe(true)
    expect(otaGuards.verifyFails(ctx({ update: update({ verifyRoll: 0.1 }) }))).toBe(false)
    expect(otaGuards.verifyFails(ctx({ update: update({ verifyRoll: 0 }), ota: { ...base.ota, verifyFailureRate: 0 } }))).toBe(false)
    expect(otaGuards.verifyFails(ctx({ update: update({ verifyRoll: 0.9999 }), ota: { ...base.ota, verifyFailureRate: 1 } }))).toBe(true)
    expect(otaGuards.verifyFails(ctx({ update: update({ verifyRoll: 0.9 }), otaFailure: 'verify' }))).toBe(true)
    expect(otaGuards.verifyFails(ctx({ update: update({ verifyRoll: 0.9 }), otaFailure: 'boot' }))).toBe(false)
  })

  it('trialBootFails: only on the first boot of an applied version, below the rate or under a boot fault', () => {
    expect(otaGuards.trialBootFails(ctx({ update: update({ stage: 'trial-pending', bootRoll: 0.05 }) }))).toBe(true)
    expect(otaGuards.trialBootFails(ctx({ update: update({ stage: 'trial-pending', bootRoll: 0.1 }) }))).toBe(false)
    expect(otaGuards.trialBootFails(ctx({ update: update({ stage: 'trial-pending', bootRoll: 0.9 }), otaFailure: 'boot' }))).toBe(true)
    expect(otaGuards.trialBootFails(ctx({ update: update({ stage: 'trial', bootRoll: 0.05 }) }))).toBe(false)
    expect(otaGuards.trialBootFails(ctx({ update: update({ stage: 'applying', bootRoll: 0.05 }) }))).toBe(false)
    expect(otaGuards.trialBootFails(ctx())).toBe(false)
  })

  it('downloadComplete, downloadFails, abortable, trial stages, isNewVersion, online', () => {
    expect(otaGuards.downloadComplete(ctx({ update: update({ downloadedBytes: 99 }) }))).toBe(false)
    expect(otaGuards.downloadComplete(ctx({ update: update({ downloadedBytes: 100 }) }))).toBe(true)
    expect(otaGuards.downloadComplete(ctx())).toBe(false)
    expect(otaGuards.downloadFails(ctx({ otaFailure: 'download' }))).toBe(true)
    expect(otaGuards.downloadFails(ctx({ otaFailure: 'verify' }))).toBe(false)
    for (const stage of ['downloading', 'verifying', 'applying'] as const) expect(otaGuards.abortable(ctx({ update: update({ stage }) }))).toBe(true)
    for (const stage of ['trial-pending', 'trial'] as const) expect(otaGuards.abortable(ctx({ update: update({ stage }) }))).toBe(false)
    expect(otaGuards.abortable(ctx())).toBe(false)
    expect(otaGuards.trialPending(ctx({ update: update({ stage: 'trial-pending' }) }))).toBe(true)
    expect(otaGuards.trialUncommitted(ctx({ update: update({ stage: 'trial' }) }))).toBe(true)
    expect(otaGuards.trialUncommitted(ctx({ update: update({ stage: 'trial-pending' }) }))).toBe(false)
    expect(otaGuards.isNewVersion(ctx(), '1.0.0')).toBe(false)
    expect(otaGuards.isNewVersion(ctx(), '1.0.1')).toBe(true)
    expect(otaGuards.isOnline(ctx({ online: true }))).toBe(true)
    expect(otaGuards.isOffline(ctx({ online: true }))).toBe(false)
  })
})

describe('ota firmware: an update on a virtual clock', () => {
  /** Up and online at 1 s. */
  function online(input?: FirmwareInput) {
    const r = start(input)
    r.clock.advanceBy(1_000)
    r.send({ type: 'link.online' })
    return r
  }

  /** Plays the device: the session drops when the firmware stops running and comes back when it runs. */
  function connectWhenUp(r: Rig) {
    r.actor.subscribe((s) => {
      if (top(s.value) === 'running' && !s.context.online) queueMicrotask(() => r.send({ type: 'link.online' }))
    })
  }

  it('downloads for exactly size / speed, reporting progress, then verifies, applies, reboots and commits', async () => {
    const r = online()
    connectWhenUp(r)
    r.send(OTA.ok)
    expect(r.state()).toBe('running.downloading.active')
    r.clock.advanceBy(2_000)
    expect(r.progress()).toEqual([0.5, 1])
    expect(r.state()).toBe('running.verifying')
    r.clock.advanceBy(200)
    expect(r.state()).toBe('running.applying')
    r.clock.advanceBy(300)
    expect(r.state()).toBe('rebooting')
    expect(r.ctx()).toMatchObject({ version: '2.0.0', update: { stage: 'trial-pending' } })
    r.clock.advanceBy(500 + 1_000)
    expect(r.state()).toBe('running.health-check')
    await Promise.resolve()
    expect(r.state()).toBe('running.idle')
    expect(r.finished()).toEqual([{ cmdId: 'ok', status: 'done', reason: 'running 2.0.0', version: '2.0.0' }])
    expect(r.ctx()).toMatchObject({ version: '2.0.0', previousVersion: '1.0.0', update: undefined, lastUpdate: { cmdId: 'ok', status: 'done' }, boots: 2 })
  })

  it('the last step is only as long as what is left (a 2,500-byte image takes 2.5 s)', () => {
    const r = online()
    r.send({ ...OTA.ok, sizeBytes: 2_500 })
    r.clock.advanceBy(2_499)
    expect(r.progress()).toEqual([0.4, 0.8])
    r.clock.advanceBy(1)
    expect(r.progress()).toEqual([0.4, 0.8, 1])
    expect(r.state()).toBe('running.verifying')
  })

  it('a download pauses while offline, keeps its progress, and resumes when back online', () => {
    const r = online()
    r.send({ ...OTA.ok, sizeBytes: 4_000 })
    r.clock.advanceBy(1_500)
    r.send({ type: 'link.offline' })
    expect(r.state()).toBe('running.downloading.paused')
    expect(r.ctx().update!.downloadedBytes).toBe(1_000)
    r.clock.advanceBy(60_000)
    expect(r.progress()).toEqual([0.25])
    r.send({ type: 'link.online' })
    r.clock.advanceBy(3_000)
    expect(r.progress()).toEqual([0.25, 0.5, 0.75, 1])
    expect(r.state()).toBe('running.verifying')
  })

  it('an update started while offline waits for the link', () => {
    const r = start()
    r.clock.advanceBy(1_000)
    r.send(OTA.ok)
    expect(r.state()).toBe('running.downloading.paused')
    r.send({ type: 'link.online' })
    expect(r.state()).toBe('running.downloading.active')
  })

  it('a verify failure ends the update, still on the old version', () => {
    const r = online()
    r.send(OTA.badImage)
    r.clock.advanceBy(2_200)
    expect(r.state()).toBe('running.idle')
    expect(r.finished()).toEqual([{ cmdId: 'bad-image', status: 'failed', reason: 'verify failed: image checksum does not match; still running 1.0.0', version: '1.0.0' }])
    expect(r.ctx()).toMatchObject({ version: '1.0.0', update: undefined, lastUpdate: { status: 'failed' } })
  })

  it('a failed first boot rolls back to the previous version; the failure is reported once, from the old version', () => {
    const r = online()
    r.send(OTA.badBoot)
    r.clock.advanceBy(2_500 + 500 + 1_000)
    expect(r.state()).toBe('rolling-back')
    expect(r.ctx().version).toBe('1.0.0')
    expect(r.finished()).toEqual([{ cmdId: 'bad-boot', status: 'failed', reason: 'rolled back to 1.0.0: 2.0.0 failed to boot', version: '1.0.0' }])
    r.clock.advanceBy(500 + 1_000)
    expect(r.state()).toBe('running.idle')
    expect(r.ctx()).toMatchObject({ version: '1.0.0', previousVersion: undefined, update: undefined, boots: 3 })
  })

  it('a new version that cannot connect within the health check is rolled back', () => {
    const r = online()
    r.send(OTA.ok)
    r.clock.advanceBy(2_500 + 500 + 1_000)
    expect(r.state()).toBe('running.health-check')
    r.clock.advanceBy(4_999)
    expect(r.state()).toBe('running.health-check')
    r.clock.advanceBy(1)
    expect(r.state()).toBe('rolling-back')
    expect(r.finished()[0]!.reason).toBe('rolled back to 1.0.0: 2.0.0 failed its health check (not connected within 5s)')
  })

  it('a crash during the trial rolls back on the next boot', () => {
    const r = online()
    r.send(OTA.ok)
    r.clock.advanceBy(4_000)
    r.send({ type: 'firmware.crash' })
    r.clock.advanceBy(4_000 + 500 + 1_000)
    expect(r.finished()).toEqual([{ cmdId: 'ok', status: 'failed', reason: 'rolled back to 1.0.0: 2.0.0 was reset before it passed its health check', version: '1.0.0' }])
  })

  it.each([
    ['command.reboot', 'the device was rebooted'],
    ['command.factory_reset', 'factory reset'],
    ['firmware.crash', 'the firmware crashed'],
    ['firmware.hang', 'the firmware hung'],
    ['power.off', 'power lost'],
  ] as const)('%s before the update is applied abandons it', (type, what) => {
    const r = online()
    r.send(OTA.ok)
    r.clock.advanceBy(500)
    r.send({ type })
    expect(r.finished()).toEqual([{ cmdId: 'ok', status: 'failed', reason: `update to 2.0.0 interrupted: ${what}; still running 1.0.0`, version: '1.0.0' }])
    expect(r.ctx().update).toBeUndefined()
  })

  it('ota-failure stages: download fails at once (also mid-download), verify and boot at their stage', () => {
    const d = online()
    d.send({ ...OTA.ok, sizeBytes: 5_000 })
    d.clock.advanceBy(1_000)
    d.send({ type: 'ota.fault', stage: 'download' })
    expect(d.state()).toBe('running.idle')
    expect(d.finished()[0]!.reason).toBe('download failed: connection reset by the update server; still running 1.0.0')

    const v = online()
    v.send({ type: 'ota.fault', stage: 'verify' })
    v.send(OTA.ok)
    v.clock.advanceBy(2_200)
    expect(v.finished()[0]!.reason).toContain('verify failed')

    const b = online()
    b.send(OTA.ok)
    b.clock.advanceBy(2_600)
    b.send({ type: 'ota.fault', stage: 'boot' })
    b.clock.advanceBy(1_400)
    expect(b.state()).toBe('rolling-back')
    b.send({ type: 'ota.fault' })
    expect(b.ctx().otaFailure).toBeUndefined()
  })

  it('a hang is ended by the watchdog; config-set and factory-reset change the config', () => {
    const r = online()
    r.send({ type: 'command.config_set', config: { samplePeriodMs: 30_000, thresholds: { t: { max: 30 } } } })
    r.send({ type: 'command.config_set', config: { thresholds: { h: { min: 10 } } } })
    expect(r.ctx().config).toEqual({ samplePeriodMs: 30_000, thresholds: { t: { max: 30 }, h: { min: 10 } } })
    expect(r.calls.filter((c) => c.action === 'config')).toHaveLength(2)
    r.send({ type: 'firmware.hang' })
    expect(r.state()).toBe('hung')
    r.clock.advanceBy(4_000)
    expect(r.state()).toBe('rebooting')
    expect(r.ctx().hangs).toBe(1)
    r.clock.advanceBy(1_500)
    r.send({ type: 'command.factory_reset' })
    expect(r.ctx().config).toEqual({})
    expect(r.state()).toBe('rebooting')
  })

  it('ignores an update to the version it runs, and a second one while busy', () => {
    const r = online()
    r.send(OTA.sameVersion)
    expect(r.state()).toBe('running.idle')
    r.send(OTA.ok)
    r.send(OTA.badImage)
    expect(r.ctx().update!.cmdId).toBe('ok')
  })
})

it('is registered as the built-in "ota" model', () => {
  expect(builtinFirmwareModels.ota).toBe(otaFirmware)
})
