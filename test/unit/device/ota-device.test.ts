/**
 * A virtual device on the `ota` firmware model, in virtual time (no sockets): commands and their
 * replies, the OTA flow as a backend sees it on the wire, version reporting, config changes.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { basicFirmware } from '../../../firmware-models/basic.machine.js'
import { otaFirmware } from '../../../firmware-models/ota.machine.js'
import { deriveStream } from '../../../src/core/rng.js'
import type { CommandReply } from '../../../src/device/commands.js'
import { EPOCH, createRig, makeProfile, type Rig } from './device-harness.js'

/** 600,000 bytes at 256 KiB/s: ~2.3 s of download, then 1 s verify, 3 s apply, 0.5 s reboot, 2 s boot. */
const OTA_PROFILE = {
  firmware: { model: 'ota', version: '1.0.0', versionInTelemetry: true, reportTopic: 'devices/{id}/firmware', otaImageBytes: 600_000 },
}
const UPDATE_MS = 2_289 + 1_000 + 3_000 + 500 + 2_000

let rig: Rig
afterEach(async () => {
  await rig?.stopAll()
})

function device(overrides: Record<string, unknown> = {}, opts: { seed?: number; id?: string } = {}) {
  rig = createRig({ firmware: otaFirmware, seed: opts.seed })
  const id = opts.id ?? 'd1'
  const d = rig.add(id, makeProfile({ ...OTA_PROFILE, ...overrides, firmware: { ...OTA_PROFILE.firmware, ...(overrides.firmware as object) } }))
  d.start()
  rig.runTo(5_000)
  return d
}

/** Delivers a command as the broker would. */
function send(command: unknown, id = 'd1') {
  rig.listeners.get(id)!.onMessage(`devices/${id}/commands`, Buffer.from(typeof command === 'string' ? command : JSON.stringify(command)))
}

/** Every reply published so far for `cmdId`, parsed. */
function replies(cmdId: string, id = 'd1'): CommandReply[] {
  return rig.sink.filter((r) => r.topic === `devices/${id}/commands/${cmdId}/reply`).map((r) => JSON.parse(r.payload) as CommandReply)
}

const finals = (cmdId: string) => replies(cmdId).filter((r) => ['done', 'failed', 'rejected'].includes(r.status))
const lastReport = (id = 'd1') => JSON.parse(rig.sink.filter((r) => r.topic === `devices/${id}/firmware`).at(-1)!.payload) as Record<string, unknown>

describe('OTA on a device, as a backend sees it', () => {
  it('accepted → progress… → done once the new version runs and is online; version in telemetry and the retained report', () => {
    const d = device()
    expect(lastReport()).toEqual({ version: '1.0.0', previousVersion: null, update: null, lastUpdate: null, config: {} })
    send({ id: 'u1', name: 'ota', params: { version: '2.0.0' } })
    rig.runTo(5_000 + UPDATE_MS)
    const got = replies('u1')
    expect(got[0]).toEqual({ id: 'u1', status: 'accepted' })
    expect(got.slice(1, -1).map((r) => r.status)).toEqual(['progress', 'progress', 'progress'])
    expect(got.slice(1, -1).map((r) => r.progress)).toEqual([0.43, 0.87, 1])
    expect(got.at(-1)).toEqual({ id: 'u1', status: 'done', reason: 'running 2.0.0', version: '2.0.0' })
    expect(d.firmwareVersion).toBe('2.0.0')
    expect(rig.hooks.entered('d1', 'firmware', 'rebooting')).toEqual([EPOCH + 5_000 + 2_289 + 1_000 + 3_000])
    // The reply is retained nowhere; the report is, and says what happened.
    expect(rig.sink.filter((r) => r.topic.endsWith('/reply')).every((r) => !r.retain)).toBe(true)
    expect(rig.sink.filter((r) => r.topic === 'devices/d1/firmware').every((r) => r.retain && r.qos === 1)).toBe(true)
    expect(lastReport()).toMatchObject({ version: '2.0.0', previousVersion: '1.0.0', update: null, lastUpdate: { id: 'u1', version: '2.0.0', status: 'done' } })
    rig.runTo(20_000)
    const telemetry = rig.telemetry('d1')
    expect(telemetry[0]!.json.fw).toBe('1.0.0')
    expect(telemetry.at(-1)!.json.fw).toBe('2.0.0')
    // Telemetry kept flowing while downloading (firmware `running` with nested states).
    expect(telemetry.filter((t) => t.at > EPOCH + 5_000 && t.at < EPOCH + 7_000).length).toBeGreaterThanOrEqual(1)
  })

  it('a verify failure: accepted → progress… → failed, still on the old version', () => {
    const d = device({ firmware: { otaVerifyFailureRate: 1 } })
    send({ id: 'u1', name: 'ota', params: { version: '2.0.0', sizeBytes: 1_000 } })
    rig.runTo(10_000)
    expect(finals('u1')).toEqual([{ id: 'u1', status: 'failed', reason: 'verify failed: image checksum does not match; still running 1.0.0', version: '1.0.0' }])
    expect(d.firmwareVersion).toBe('1.0.0')
    expect(rig.hooks.entered('d1', 'firmware', 'rebooting')).toEqual([])
  })

  it('a boot failure: the device reboots into the new version, rolls back, and replies failed once back online', () => {
    const d = device({ firmware: { otaBootFailureRate: 1 } })
    send({ id: 'u1', name: 'ota', params: { version: '2.0.0' } })
    rig.runTo(30_000)
    expect(replies('u1').filter((r) => r.status !== 'progress').map((r) => r.status)).toEqual(['accepted', 'failed'])
    expect(finals('u1')[0]).toEqual({ id: 'u1', status: 'failed', reason: 'rolled back to 1.0.0: 2.0.0 failed to boot', version: '1.0.0' })
    const failedAt = rig.sink.find((r) => r.topic === 'devices/d1/commands/u1/reply' && r.payload.includes('failed'))!.at
    expect(rig.hooks.entered('d1', 'firmware', 'rolling-back')).toHaveLength(1)
    expect(failedAt).toBe(rig.hooks.entered('d1', 'connectivity', 'online').at(-1))
    expect(d.firmwareVersion).toBe('1.0.0')
    expect(lastReport()).toMatchObject({ version: '1.0.0', lastUpdate: { status: 'failed' } })
  })

  it('a download survives a network outage: it pauses, keeps its progress, and resumes when back online', () => {
    const d = device({ firmware: { otaImageBytes: 2_000_000 } })
    send({ id: 'u1', name: 'ota', params: { version: '2.0.0' } })
    rig.runTo(7_500)
    d.setNetworkDown(true)
    rig.runTo(30_000)
    const before = replies('u1').filter((r) => r.status === 'progress')
    expect(before.map((r) => r.progress)).toEqual([0.13, 0.26])
    d.setNetworkDown(false)
    rig.runTo(60_000)
    const progress = replies('u1').filter((r) => r.status === 'progress').map((r) => r.progress!)
    expect(progress.slice(0, 3)).toEqual([0.13, 0.26, 0.39])
    expect(progress).toEqual([...progress].sort((a, b) => a - b))
    expect(progress.at(-1)).toBe(1)
    expect(finals('u1')).toEqual([{ id: 'u1', status: 'done', reason: 'running 2.0.0', version: '2.0.0' }])
  })

  it('the update the device draws for comes from its own seeded `ota` stream', () => {
    // Rate 0.5: the first draw of (seed, id, "ota") decides the verify outcome.
    const outcomes = ['a', 'b', 'c', 'd', 'e', 'f'].map((id) => {
      device({ firmware: { otaVerifyFailureRate: 0.5 } }, { seed: 9, id })
      send({ id: 'u1', name: 'ota', params: { version: '2.0.0', sizeBytes: 1_000 } }, id)
      rig.runTo(30_000)
      const status = JSON.parse(rig.sink.filter((r) => r.topic === `devices/${id}/commands/u1/reply`).at(-1)!.payload).status as string
      return [status, deriveStream(9, id, 'ota').next() < 0.5 ? 'failed' : 'done']
    })
    for (const [got, predicted] of outcomes) expect(got).toBe(predicted)
    expect(new Set(outcomes.map(([s]) => s))).toEqual(new Set(['done', 'failed']))
  })

  it('an ota-failure override fails the update at its stage; it is consulted only while it lasts', () => {
    const d = device()
    d.setOtaFailure('f1', 'download')
    send({ id: 'u1', name: 'ota', params: { version: '2.0.0' } })
    expect(finals('u1')[0]!.reason).toBe('download failed: connection reset by the update server; still running 1.0.0')
    d.setOtaFailure('f2', 'boot')
    d.setOtaFailure('f1', undefined)
    send({ id: 'u2', name: 'ota', params: { version: '2.0.0' } })
    rig.runTo(30_000)
    expect(finals('u2')[0]!.reason).toBe('rolled back to 1.0.0: 2.0.0 failed to boot')
    d.setOtaFailure('f2', undefined)
    send({ id: 'u3', name: 'ota', params: { version: '2.0.0' } })
    rig.runTo(60_000)
    expect(finals('u3')[0]).toMatchObject({ status: 'done', version: '2.0.0' })
  })

  it('a crash during the download: failed (interrupted) after the watchdog reboot, when back online', () => {
    const d = device()
    send({ id: 'u1', name: 'ota', params: { version: '2.0.0' } })
    rig.runTo(6_000)
    d.sendFirmwareEvent('firmware.crash')
    expect(finals('u1')).toEqual([])
    rig.runTo(30_000)
    expect(finals('u1')).toEqual([{ id: 'u1', status: 'failed', reason: 'update to 2.0.0 interrupted: the firmware crashed; still running 1.0.0', version: '1.0.0' }])
  })

  it('a hang: the watchdog reboots the device', () => {
    const d = device()
    d.sendFirmwareEvent('firmware.hang')
    expect(d.currentStates).toMatchObject({ firmware: 'hung', connectivity: 'offline' })
    rig.runTo(5_000 + 8_000 + 500 + 2_000)
    expect(d.currentStates).toMatchObject({ firmware: 'running', connectivity: 'online' })
  })
})

describe('commands on an ota device: one final reply each, bad input rejected', () => {
  it('a second ota while one runs is rejected, and so is the version already running', () => {
    device()
    send({ id: 'u1', name: 'ota', params: { version: '2.0.0' } })
    send({ id: 'u2', name: 'ota', params: { version: '3.0.0' } })
    send({ id: 'u3', name: 'ota', params: { version: '1.0.0' } })
    expect(finals('u2')).toEqual([{ id: 'u2', status: 'rejected', reason: 'an update is already in progress (command u1, to 2.0.0, downloading)' }])
    rig.runTo(5_000 + UPDATE_MS)
    send({ id: 'u4', name: 'ota', params: { version: '2.0.0' } })
    expect(finals('u3')).toEqual([{ id: 'u3', status: 'rejected', reason: 'an update is already in progress (command u1, to 2.0.0, downloading)' }])
    expect(finals('u4')).toEqual([{ id: 'u4', status: 'rejected', reason: 'already running 2.0.0' }])
  })

  it.each([
    ['version not a string', { version: 2 }, 'params.version: expected a string, got the number 2'],
    ['version missing', {}, 'params.version: required (string)'],
    ['version with a space', { version: '2 0' }, 'params.version: must be 1–64 letters, digits, ".", "+", "_" or "-"'],
    ['sizeBytes not an integer', { version: '2', sizeBytes: 1.5 }, 'params.sizeBytes: expected an integer, got the number 1.5'],
    ['sizeBytes a string', { version: '2', sizeBytes: '10' }, 'params.sizeBytes: expected a number, got the string "10"'],
    ['sha256 not hex', { version: '2', sha256: 'zz' }, 'params.sha256: must be 64 hex digits'],
    ['url not http', { version: '2', url: 'file:///etc/passwd' }, 'params.url: must be an http or https URL'],
    ['a misspelt parameter', { version: '2', sizebytes: 10 }, 'params: unknown parameter "sizebytes" — did you mean "sizeBytes"?'],
  ])('ota with %s is rejected, and nothing starts', (_what, params, reason) => {
    const d = device()
    send({ id: 'b1', name: 'ota', params })
    expect(replies('b1')).toEqual([{ id: 'b1', status: 'rejected', reason }])
    rig.runTo(20_000)
    expect(d.currentStates.firmware).toBe('running')
    expect(rig.hooks.entered('d1', 'firmware', 'rebooting')).toEqual([])
  })

  it.each([
    ['malformed JSON', '{"id":"c1","name":"ota",', 'invalid', 'payload is not valid JSON'],
    ['an array', '[]', 'invalid', 'payload must be a JSON object'],
    ['params an array', '{"id":"c2","name":"ota","params":[]}', 'c2', 'field "params" must be an object'],
    ['an unknown command', '{"id":"c3","name":"self-destruct"}', 'c3', 'unknown command "self-destruct" (supported: reboot, ping, factory-reset, config-set, ota)'],
    ['a near miss', '{"id":"c4","name":"otaa"}', 'c4', 'unknown command "otaa" (did you mean "ota"? supported: reboot, ping, factory-reset, config-set, ota)'],
    ['reboot with params', '{"id":"c5","name":"reboot","params":{"delay":5}}', 'c5', '"reboot" takes no parameters, got "delay"'],
  ])('%s is rejected with a reason; the device keeps running', (_what, payload, cmdId, reason) => {
    const d = device()
    send(payload)
    expect(replies(cmdId)).toEqual([{ id: cmdId, status: 'rejected', reason }])
    rig.runTo(10_000)
    expect(d.currentStates).toMatchObject({ firmware: 'running', connectivity: 'online' })
  })

  it('reboot: accepted, then done (with the version) once the device is back online', () => {
    device()
    send({ id: 'r1', name: 'reboot' })
    expect(replies('r1')).toEqual([{ id: 'r1', status: 'accepted' }])
    rig.runTo(20_000)
    expect(replies('r1')).toEqual([
      { id: 'r1', status: 'accepted' },
      { id: 'r1', status: 'done', reason: 'rebooted; running 1.0.0', version: '1.0.0' },
    ])
    const doneAt = rig.sink.find((r) => r.topic === 'devices/d1/commands/r1/reply' && r.payload.includes('done'))!.at
    expect(doneAt).toBe(EPOCH + 5_000 + 500 + 2_000)
  })

  it('config-set changes the sample period at run time; factory-reset restores the profile one', () => {
    const d = device()
    send({ id: 'c1', name: 'config-set', params: { samplePeriod: '3s', thresholds: { temperature: { max: 30 } } } })
    expect(replies('c1')).toEqual([{ id: 'c1', status: 'done', reason: 'applied samplePeriod=3000ms, thresholds for temperature' }])
    expect(d.samplePeriodMs).toBe(3_000)
    expect(lastReport()).toMatchObject({ config: { samplePeriodMs: 3_000, thresholds: { temperature: { max: 30 } } } })
    rig.runTo(20_000)
    const gaps = (from: number, to: number) => {
      const at = rig.telemetry('d1').map((t) => t.at).filter((t) => t > EPOCH + from && t <= EPOCH + to)
      return at.slice(1).map((t, i) => t - at[i]!)
    }
    expect(new Set(gaps(5_000, 20_000))).toEqual(new Set([3_000]))
    send({ id: 'f1', name: 'factory-reset' })
    rig.runTo(40_000)
    expect(finals('f1')).toEqual([{ id: 'f1', status: 'done', reason: 'factory reset; running 1.0.0', version: '1.0.0' }])
    expect(d.samplePeriodMs).toBe(1_000)
    expect(new Set(gaps(30_000, 40_000))).toEqual(new Set([1_000]))
  })

  it('config-set: thresholds for a sensor the device does not have, and bad values, are rejected', () => {
    const d = device()
    send({ id: 'c1', name: 'config-set', params: { thresholds: { temprature: { max: 3 } } } })
    send({ id: 'c2', name: 'config-set', params: { samplePeriod: '10ms' } })
    send({ id: 'c3', name: 'config-set', params: {} })
    send({ id: 'c4', name: 'config-set', params: { thresholds: { temperature: { min: 5, max: 1 } } } })
    expect(finals('c1')[0]!.reason).toBe('params.thresholds: no sensor "temprature" — did you mean "temperature"?')
    expect(finals('c2')[0]!.reason).toBe('params.samplePeriod: must be between 100ms and 7d')
    expect(finals('c3')[0]!.reason).toBe('params: give samplePeriod and/or thresholds')
    expect(finals('c4')[0]!.reason).toBe('params.thresholds.temperature: min must be below max')
    expect(d.samplePeriodMs).toBe(1_000)
  })

  it('every command got exactly one final reply, and metrics count each once', () => {
    device()
    const ids = ['a', 'b', 'c', 'd', 'e']
    send({ id: 'a', name: 'ping' })
    send({ id: 'b', name: 'ota', params: { version: '2.0.0' } })
    send({ id: 'c', name: 'ota', params: { version: '3.0.0' } })
    send({ id: 'd', name: 'config-set', params: { samplePeriod: 2_000 } })
    send({ id: 'e', name: 'nope' })
    rig.runTo(60_000)
    for (const id of ids) expect(finals(id), id).toHaveLength(1)
    expect(rig.hooks.commands.map((c) => `${c.name}:${c.status}`)).toEqual(['ping:done', 'ota:accepted', 'ota:rejected', 'config-set:done', 'unknown:rejected'])
  })
})

describe('commands on a basic device', () => {
  it('OTA, config-set and factory-reset are unknown commands; reboot now ends with done', () => {
    rig = createRig({ firmware: basicFirmware })
    rig.add('d1').start()
    rig.runTo(5_000)
    send({ id: 'o1', name: 'ota', params: { version: '2' } })
    send({ id: 'c1', name: 'config-set', params: { samplePeriod: '5s' } })
    send({ id: 'r1', name: 'reboot' })
    expect(finals('o1')).toEqual([{ id: 'o1', status: 'rejected', reason: 'unknown command "ota" (supported: reboot, ping)' }])
    expect(finals('c1')[0]!.reason).toBe('unknown command "config-set" (supported: reboot, ping)')
    rig.runTo(10_000)
    expect(finals('r1')).toEqual([{ id: 'r1', status: 'done', reason: 'rebooted; running 1.0.0', version: '1.0.0' }])
    // No firmware report and no `fw` unless the profile asks for them.
    expect(rig.sink.some((r) => r.topic.endsWith('/firmware'))).toBe(false)
    expect(rig.telemetry('d1').some((t) => 'fw' in t.json)).toBe(false)
  })
})
