import mqtt from 'mqtt'
import { afterEach, describe, expect, it } from 'vitest'
import { startFleet, type Fleet } from '../../src/index.js'

describe('offline buffer (store and forward) against a real broker', () => {
  let fleet: Fleet | undefined
  afterEach(async () => {
    await fleet?.stop()
    fleet = undefined
  })

  it('delivers what was produced offline after reconnecting, in order, up to the buffer size; overflow is counted', async () => {
    fleet = await startFleet('test/fixtures/integration/buffered.fleet.yaml', { brokerPort: 0, metricsPort: false })
    const sub = await mqtt.connectAsync(fleet.brokerUrl, { clientId: 'backend', reconnectPeriod: 0 })
    const seqs = new Map<string, number[]>()
    // What each sample was when it was made, and what its message said when it arrived: a buffered
    // message must carry its own values, never a later sample's (devices reuse sample objects).
    const sampled = new Map<string, Record<string, number | null>>()
    const mismatched: string[] = []
    let compared = 0
    fleet.on('telemetry', (t) => sampled.set(`${t.deviceId}#${t.seq}`, t.values))
    sub.on('message', (topic, payload) => {
      const id = topic.split('/')[1]!
      const { ts: _ts, seq, battery: _battery, ...values } = JSON.parse(payload.toString()) as { ts: number; seq: number; battery?: number }
      ;(seqs.get(id) ?? seqs.set(id, []).get(id)!).push(seq)
      const made = sampled.get(`${id}#${seq}`)
      if (made) compared++
      // (A device's first samples may come before the listener: nothing to compare them with.)
      if (made && JSON.stringify(made) !== JSON.stringify(values)) mismatched.push(`${id}#${seq}: sampled ${JSON.stringify(made)}, published ${JSON.stringify(values)}`)
    })
    await sub.subscribeAsync('devices/+/telemetry', { qos: 1 })
    try {
      await fleet.waitFor((f) => f.count({ connectivity: 'online' }) === 10, { timeoutMs: 10_000 })
      const f = fleet
      await f.waitFor(() => [...seqs.values()].length === 10, { timeoutMs: 5_000 })
      // About 10 samples (200 ms period) fall in the 2 s outage; the buffer keeps the last 5.
      const { deviceIds } = f.inject({ kind: 'disconnect', target: { count: 3 }, durationMs: 2_000 })
      const producedBefore = new Map(deviceIds.map((id) => [id, f.device(id)!.seq]))
      await f.waitFor((x) => deviceIds.every((id) => x.device(id)!.states.connectivity !== 'online'), { timeoutMs: 2_000 })
      await f.waitFor((x) => x.count({ connectivity: 'online' }) === 10, { timeoutMs: 10_000 })
      await new Promise((r) => setTimeout(r, 800)) // let the flushed buffer and a few live samples arrive

      let missing = 0
      for (const id of deviceIds) {
        // At-least-once: a QoS 1 message in flight at the drop may arrive twice; order is what counts.
        const got = [...new Set(seqs.get(id))]
        expect(got, id).toEqual([...got].sort((a, b) => a - b))
        const gaps = got.slice(1).map((s, i) => s - got[i]! - 1).filter((g) => g > 0)
        expect(gaps.length, `${id}: one gap, the samples the buffer could not hold`).toBe(1)
        missing += gaps[0]!
        // The five samples before the gap's end were produced while offline and delivered after it.
        const afterGap = got.findIndex((s, i) => i > 0 && s - got[i - 1]! > 1)
        const delivered = got.slice(afterGap, afterGap + 5)
        expect(delivered, id).toEqual([0, 1, 2, 3, 4].map((k) => delivered[0]! + k))
        expect(delivered[0]!, id).toBeGreaterThan(producedBefore.get(id)!)
      }
      expect(mismatched).toEqual([])
      expect(compared).toBeGreaterThan(100)
      // Every sample the buffers dropped is counted, and only the targeted devices dropped any.
      expect(f.stats.droppedOffline).toBe(missing)
      expect(missing).toBeGreaterThanOrEqual(3 * 3)
      for (const [id, list] of seqs) if (!deviceIds.includes(id)) expect(new Set(list).size, id).toBe(Math.max(...list) - Math.min(...list) + 1)
    } finally {
      await sub.endAsync(true)
    }
  })
})
