import mqtt, { type MqttClient } from 'mqtt'
import { afterEach, describe, expect, it } from 'vitest'
import { startFleet, type Fleet } from '../../../src/index.js'

const FLEET = 'test/fixtures/faults-messages/tcp.fleet.yaml'

/** A backend on its own MQTT connection: every telemetry seq per device, in arrival order. */
async function subscriber(url: string) {
  const client: MqttClient = await mqtt.connectAsync(url, { clientId: `backend-${process.pid}`, reconnectPeriod: 0 })
  const seqs = new Map<string, number[]>()
  client.on('message', (topic, payload) => {
    const id = topic.split('/')[1]!
    const { seq } = JSON.parse(payload.toString()) as { seq: number }
    ;(seqs.get(id) ?? seqs.set(id, []).get(id)!).push(seq)
  })
  await client.subscribeAsync('devices/+/telemetry', { qos: 1 })
  return { client, seqs }
}

async function until(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = performance.now() + timeoutMs
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 20))
  }
}

describe('duplicate and out-of-order telemetry, observed by a subscriber over TCP (QoS 1)', () => {
  let fleet: Fleet | undefined
  let sub: Awaited<ReturnType<typeof subscriber>> | undefined
  afterEach(async () => {
    await sub?.client.endAsync()
    await fleet?.stop()
    sub = fleet = undefined
  })

  it('the subscriber sees the duplicated seqs exactly twice and seq going backwards, only on targeted devices', async () => {
    fleet = await startFleet(FLEET, { seed: 31, brokerPort: 0, metricsPort: false })
    const f = fleet
    const s = (sub = await subscriber(fleet.brokerUrl))
    const ids = fleet.list().map((d) => d.id)
    /** Per device: the last seq produced, and the seqs each message fault touched. */
    const produced = new Map<string, number>()
    const touched = new Map<string, Map<string, Set<number>>>()
    fleet.on('telemetry', (t: { deviceId: string; seq: number; messageFaultIds: string[] }) => {
      produced.set(t.deviceId, t.seq)
      for (const faultId of t.messageFaultIds) {
        const byDevice = touched.get(faultId) ?? touched.set(faultId, new Map()).get(faultId)!
        ;(byDevice.get(t.deviceId) ?? byDevice.set(t.deviceId, new Set()).get(t.deviceId)!).add(t.seq)
      }
    })
    await fleet.waitFor((fl) => fl.count({ connectivity: 'online' }) === ids.length, { timeoutMs: 10_000 })
    await until(() => ids.every((id) => (s.seqs.get(id)?.length ?? 0) >= 2), 5_000, 'telemetry from every device')

    const dup = fleet.inject({ kind: 'telemetry.duplicate', target: { group: 'dup', count: 3 }, durationMs: 1_200 })
    const ooo = fleet.inject({ kind: 'telemetry.out-of-order', target: { group: 'ooo', count: 3 }, durationMs: 1_200 })
    expect(dup.deviceIds).toHaveLength(3)
    expect(ooo.deviceIds).toHaveLength(3)
    // Both windows over on every device, then everything produced so far has reached the subscriber.
    await until(() => f.faultLog.filter((r) => r.fault_id === dup.faultId || r.fault_id === ooo.faultId).length === 6, 5_000, 'both fault windows to end')
    const last = new Map(ids.map((id) => [id, produced.get(id)!]))
    await until(() => ids.every((id) => (s.seqs.get(id) ?? []).includes(last.get(id)!)), 5_000, 'the subscriber to catch up')

    for (const r of f.faultLog.filter((x) => x.fault_id === dup.faultId || x.fault_id === ooo.faultId)) {
      // The end is timed from the injection, the start logged when each device applied it: on a busy
      // machine (CI on 2 cores) that can be tens of ms later, so the window can be a little short.
      expect(r.end_ms - r.start_ms).toBeGreaterThanOrEqual(1_100)
      expect(r.end_ms - r.start_ms).toBeLessThan(2_000)
      expect(r.truncated).toBe(false)
    }

    for (const id of ids) {
      const seen = s.seqs.get(id)!
      const counts = new Map<number, number>()
      for (const q of seen) counts.set(q, (counts.get(q) ?? 0) + 1)
      const twice = [...counts].filter(([, n]) => n === 2).map(([q]) => q)
      const duplicated = [...(touched.get(dup.faultId)?.get(id) ?? [])]
      // Duplicates: exactly the seqs the fault labelled, each twice and back to back; nothing else repeated.
      expect(twice, id).toEqual(duplicated)
      expect([...counts.values()].every((n) => n <= 2), id).toBe(true)
      for (const q of duplicated) expect(seen[seen.indexOf(q) + 1], `${id} #${q}`).toBe(q)
      if (dup.deviceIds.includes(id)) expect(duplicated.length, id).toBeGreaterThanOrEqual(5)
      else expect(duplicated, id).toEqual([])

      // Out of order: seq goes backwards only on targeted devices, and only at the messages held back.
      const late: number[] = []
      let max = -Infinity
      for (const q of seen) {
        if (q < max) late.push(q)
        max = Math.max(max, q)
      }
      const held = [...(touched.get(ooo.faultId)?.get(id) ?? [])]
      if (ooo.deviceIds.includes(id)) {
        expect(late.length, id).toBeGreaterThanOrEqual(2)
        // Depth 1: every held message but perhaps the last (released when the window ends) is overtaken by the next one.
        expect(late.length, id).toBeGreaterThanOrEqual(held.length - 1)
        for (const q of late) {
          expect(held, `${id} #${q}`).toContain(q)
          expect(seen[seen.indexOf(q) - 1], `${id} #${q}`).toBe(q + 1)
        }
        expect(new Set(seen).size, `${id}: nothing lost or doubled`).toBe(seen.length)
      } else {
        expect(late, id).toEqual([])
        expect(held, id).toEqual([])
      }
    }
  })
})
