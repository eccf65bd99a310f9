import { spawn } from 'node:child_process'
import { afterEach, describe, expect, it } from 'vitest'
import { startFleet, type Fleet } from '../../src/index.js'
import { startMosquitto } from './mosquitto.js'

const FLEET = 'test/fixtures/integration/fast.fleet.yaml'

/** Debian's mosquitto_sub as an independent observer: topic + payload per line. */
function mosquittoSub(port: number, topics: string[]) {
  const child = spawn('mosquitto_sub', ['-h', '127.0.0.1', '-p', String(port), '-v', '-q', '1', ...topics.flatMap((t) => ['-t', t])], { stdio: ['ignore', 'pipe', 'pipe'] })
  const lines: string[] = []
  let buf = ''
  child.stdout.on('data', (d: Buffer) => {
    buf += d.toString()
    const parts = buf.split('\n')
    buf = parts.pop()!
    lines.push(...parts)
  })
  const exited = new Promise<void>((r) => child.once('exit', () => r()))
  return { lines, stop: async () => (child.kill(), await exited) }
}

async function until(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = performance.now() + timeoutMs
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 20))
  }
}

describe('against an external mosquitto broker', () => {
  let fleet: Fleet | undefined
  const cleanups: (() => Promise<void>)[] = []
  afterEach(async () => {
    await fleet?.stop()
    fleet = undefined
    for (const c of cleanups.splice(0).reverse()) await c()
  })

  it('mosquitto_sub sees telemetry from every device, and the last will of dropped ones', async () => {
    const broker = await startMosquitto()
    cleanups.push(broker.stop)
    const sub = mosquittoSub(broker.port, ['devices/+/telemetry', 'devices/+/status'])
    cleanups.push(sub.stop)
    await new Promise((r) => setTimeout(r, 100)) // let mosquitto_sub subscribe

    fleet = await startFleet(FLEET, { seed: 21, brokerUrl: broker.url, metricsPort: false })
    expect(fleet.embeddedBroker).toBeUndefined()
    const ids = fleet.list().map((d) => d.id)
    await fleet.waitFor((f) => f.count({ connectivity: 'online' }) === 60, { timeoutMs: 10_000 })
    const seen = () => new Set(sub.lines.filter((l) => l.includes('/telemetry ')).map((l) => l.split('/')[1]))
    await until(() => seen().size === 60, 5_000, 'telemetry from all 60 devices')
    expect([...seen()].sort()).toEqual([...ids].sort())
    const first = sub.lines.find((l) => l.includes('/telemetry '))!
    expect(JSON.parse(first.slice(first.indexOf(' ') + 1))).toMatchObject({ ts: expect.any(Number), seq: expect.any(Number), temperature: expect.any(Number), humidity: expect.any(Number) })

    const { deviceIds } = fleet.inject({ kind: 'disconnect', target: { count: 5 }, durationMs: 1_000 })
    const lastStatus = (id: string) => sub.lines.filter((l) => l.startsWith(`devices/${id}/status `)).at(-1)?.split(' ')[1]
    await until(() => deviceIds.every((id) => lastStatus(id) === 'offline'), 5_000, 'last wills via mosquitto')
    expect(ids.filter((id) => lastStatus(id) === 'offline').sort()).toEqual([...deviceIds].sort())
    await fleet.waitFor((f) => f.count({ connectivity: 'online' }) === 60, { timeoutMs: 10_000 })
    await until(() => deviceIds.every((id) => lastStatus(id) === 'online'), 5_000, 'online again')
  })
})
