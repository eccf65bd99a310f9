/**
 * Acceptance (issue 3): a test playing a backend sends an OTA command to 100 devices over a real
 * broker, with a 5% verify failure rate and a 5% first-boot failure rate (both seeded), and asserts
 * the exact set of devices that end on the new version, the ones whose image failed verification,
 * the ones that rolled back, and that every command got exactly one final reply.
 *
 * The expected sets are computed independently of the emulator's run: each device draws its OTA
 * outcome from its own seeded stream `(seed, device id, "ota")` — first the verify draw, then the
 * boot draw — and the test derives the same stream.
 */
import mqtt, { type MqttClient } from 'mqtt'
import { afterEach, describe, expect, it } from 'vitest'
import { deriveStream, startFleet, type Fleet } from '../../src/index.js'

const FLEET = 'test/fixtures/ota/ota-rollout.fleet.yaml'
const SEED = 2024
const VERIFY_FAILURE_RATE = 0.05
const BOOT_FAILURE_RATE = 0.05
const FINAL = new Set(['done', 'failed', 'rejected'])

interface Reply {
  id: string
  status: string
  progress?: number
  reason?: string
  version?: string
}

/** The outcome the device must reach, from the same seeded stream it draws from. */
function predict(deviceId: string): 'updated' | 'verify-failed' | 'rolled-back' {
  const ota = deriveStream(SEED, deviceId, 'ota')
  const verifyRoll = ota.next()
  const bootRoll = ota.next()
  if (verifyRoll < VERIFY_FAILURE_RATE) return 'verify-failed'
  return bootRoll < BOOT_FAILURE_RATE ? 'rolled-back' : 'updated'
}

/** A backend: records every reply (per device, per command id) and the latest retained firmware report. */
async function backend(url: string) {
  const client: MqttClient = await mqtt.connectAsync(url, { clientId: `ota-backend-${process.pid}`, reconnectPeriod: 0 })
  const replies = new Map<string, Reply[]>()
  const reports = new Map<string, { version: string; lastUpdate: { id: string; status: string } | null }>()
  client.on('message', (topic, payload) => {
    const parts = topic.split('/')
    const device = parts[1]!
    if (parts[2] === 'commands' && parts[4] === 'reply') {
      const key = `${device}/${parts[3]}`
      ;(replies.get(key) ?? replies.set(key, []).get(key)!).push(JSON.parse(payload.toString()) as Reply)
    }
    if (parts[2] === 'firmware') reports.set(device, JSON.parse(payload.toString()))
  })
  await client.subscribeAsync(['devices/+/commands/+/reply', 'devices/+/firmware'], { qos: 1 })
  const of = (device: string, cmdId: string) => replies.get(`${device}/${cmdId}`) ?? []
  const send = (device: string, command: object) => client.publishAsync(`devices/${device}/commands`, JSON.stringify(command), { qos: 1 })
  return { client, replies, reports, of, send }
}

async function until(condition: () => boolean, timeoutMs: number, what: () => string): Promise<void> {
  const deadline = performance.now() + timeoutMs
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what()}`)
    await new Promise((r) => setTimeout(r, 20))
  }
}

describe('OTA rollout to 100 devices on the embedded broker', () => {
  let fleet: Fleet | undefined
  let be: Awaited<ReturnType<typeof backend>> | undefined
  afterEach(async () => {
    await be?.client.endAsync()
    await fleet?.stop()
    be = fleet = undefined
  })

  it('ends with exactly the predicted devices updated, failed at verify and rolled back; one final reply per command', async () => {
    fleet = await startFleet(FLEET, { seed: SEED, brokerPort: 0, metricsPort: false })
    const b = (be = await backend(fleet.brokerUrl))
    const ids = fleet.list().map((d) => d.id)
    expect(ids).toHaveLength(100)

    const expected = { updated: [] as string[], 'verify-failed': [] as string[], 'rolled-back': [] as string[] }
    for (const id of ids) expected[predict(id)].push(id)
    // The seed was chosen so that every outcome happens: the test means something for each set.
    expect(expected['verify-failed'].length).toBeGreaterThan(0)
    expect(expected['rolled-back'].length).toBeGreaterThan(0)

    await fleet.waitFor((f) => f.count({ connectivity: 'online' }) === 100, { timeoutMs: 10_000 })
    // Online means CONNACK; each device's SUBSCRIBE may still be on its way. Ping until all answer.
    const answered = new Set<string>()
    for (let round = 0; answered.size < ids.length; round++) {
      if (round > 100) throw new Error(`${ids.length - answered.size} devices never answered a ping`)
      await Promise.all(ids.filter((id) => !answered.has(id)).map((id) => b.send(id, { id: `ping-${round}`, name: 'ping' })))
      await new Promise((r) => setTimeout(r, 50))
      for (const id of ids) if ([...Array(round + 1).keys()].some((k) => b.of(id, `ping-${k}`).length > 0)) answered.add(id)
    }

    // The rollout: one command per device, the same id, as a backend job would.
    const started = performance.now()
    await Promise.all(ids.map((id) => b.send(id, { id: 'rollout-1', name: 'ota', params: { version: '2.0.0', url: 'https://fw.example.com/fast-ota/2.0.0.bin', sizeBytes: 65_536 } })))
    const finals = (id: string) => b.of(id, 'rollout-1').filter((r) => FINAL.has(r.status))
    await until(
      () => ids.every((id) => finals(id).length > 0),
      15_000,
      () => `final replies (${ids.filter((id) => finals(id).length > 0).length}/100)`,
    )
    const elapsed = performance.now() - started
    // Anything late or duplicated would arrive in this window.
    await new Promise((r) => setTimeout(r, 300))

    const got = { updated: [] as string[], 'verify-failed': [] as string[], 'rolled-back': [] as string[] }
    for (const id of ids) {
      const all = b.of(id, 'rollout-1')
      const [final, ...more] = finals(id)
      expect(more, `${id}: one final reply`).toEqual([])
      expect(all[0], id).toEqual({ id: 'rollout-1', status: 'accepted' })
      expect(all.at(-1), `${id}: the final reply is the last one`).toBe(final)
      expect(all.slice(1, -1).every((r) => r.status === 'progress'), id).toBe(true)
      if (final!.status === 'done') {
        expect(final, id).toEqual({ id: 'rollout-1', status: 'done', reason: 'running 2.0.0', version: '2.0.0' })
        got.updated.push(id)
      } else if (final!.reason!.startsWith('verify failed')) {
        expect(final, id).toEqual({ id: 'rollout-1', status: 'failed', reason: 'verify failed: image checksum does not match; still running 1.0.0', version: '1.0.0' })
        got['verify-failed'].push(id)
      } else {
        expect(final, id).toEqual({ id: 'rollout-1', status: 'failed', reason: 'rolled back to 1.0.0: 2.0.0 failed to boot', version: '1.0.0' })
        got['rolled-back'].push(id)
      }
    }
    expect(got).toEqual(expected)

    // Every ping also got exactly one reply (and a ping a device never received got none).
    for (const [key, list] of b.replies) if (key.includes('/ping-')) expect(list, key).toHaveLength(1)

    // The devices agree: the version they run, in the fleet's view and in their retained report.
    const onNew = new Set(expected.updated)
    await until(
      () => ids.every((id) => b.reports.get(id)?.lastUpdate?.id === 'rollout-1'),
      5_000,
      () => 'firmware reports after the rollout',
    )
    for (const id of ids) {
      const version = onNew.has(id) ? '2.0.0' : '1.0.0'
      expect(fleet.device(id)!.firmwareVersion, id).toBe(version)
      expect(b.reports.get(id), id).toMatchObject({ version, lastUpdate: { id: 'rollout-1', status: onNew.has(id) ? 'done' : 'failed' } })
    }
    expect(fleet.count({ firmware: 'running' })).toBe(100)
    expect(elapsed).toBeLessThan(10_000)
  })
})
