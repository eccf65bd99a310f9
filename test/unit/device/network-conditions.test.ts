/**
 * Connectivity presets (issue 3): a profile's `connectivity.network` puts log-normal latency and
 * TCP-style resends on the device's side of its link, and a preset brings its keep-alive and backoff.
 */
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { deriveStream } from '../../../src/core/rng.js'
import { networkShaping } from '../../../src/device/network-shaping.js'
import { checkProfileFile } from '../../../src/fleet/load-fleet.js'
import { LINK_PRESETS, resolveNetwork } from '../../../src/spec/link-presets.js'
import { packetDelayMs } from '../../../src/transport/shaping.js'
import { createRig, makeProfile, type Rig } from './device-harness.js'

const quantile = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.floor(q * (xs.length - 1))]!

function draws(shaping: ReturnType<typeof networkShaping>, n: number, seed = 1): number[] {
  const rng = deriveStream(seed, 'd1', 'shaping')
  const random = () => rng.next()
  return Array.from({ length: n }, () => packetDelayMs(shaping, random))
}

describe('packet delay of a preset', () => {
  it('cellular latency is log-normal through the preset median and p99', () => {
    const d = draws(networkShaping({ ...resolveNetwork('cellular', 'wifi'), loss: 0 }), 40_000)
    expect(quantile(d, 0.5)).toBeGreaterThan(60 * 0.95)
    expect(quantile(d, 0.5)).toBeLessThan(60 * 1.05)
    expect(quantile(d, 0.99)).toBeGreaterThan(500 * 0.9)
    expect(quantile(d, 0.99)).toBeLessThan(500 * 1.1)
    expect(Math.min(...d)).toBeGreaterThan(0)
  })

  it('a lost packet comes late by at least the RTO (200 ms minimum), at the loss rate', () => {
    const shaping = networkShaping({ latency: { median: 1, p99: 1 }, loss: 0.1, bandwidth: undefined })
    expect(shaping.retransmit).toEqual({ rate: 0.1, rtoMs: 200 })
    const d = draws(shaping, 20_000)
    const late = d.filter((x) => x >= 201).length / d.length
    expect(late).toBeGreaterThan(0.09)
    expect(late).toBeLessThan(0.11)
    // Losing the resend too doubles the timeout: 1 + 200 + 400.
    expect(d.filter((x) => x >= 601).length / d.length).toBeGreaterThan(0.007)
    expect(d.every((x) => x === 1 || x >= 201)).toBe(true)
  })

  it('is the same for the same seed and different for another', () => {
    const s = networkShaping(resolveNetwork('wifi', 'wifi'))
    expect(draws(s, 100, 7)).toEqual(draws(s, 100, 7))
    expect(draws(s, 100, 7)).not.toEqual(draws(s, 100, 8))
  })
})

describe('profile connectivity.network', () => {
  it('a preset name fills keep-alive, connect timeout and backoff the profile leaves out', () => {
    const p = makeProfile({ connectivity: { backoff: undefined, network: 'cellular' } })
    expect(p.connectivity.keepalive).toBe(LINK_PRESETS.cellular.keepalive)
    expect(p.connectivity.connectTimeout).toBe(LINK_PRESETS.cellular.connectTimeout)
    expect(p.connectivity.backoff).toEqual(LINK_PRESETS.cellular.backoff)
  })

  it("an object starts from `link`'s preset, and what the profile says wins", () => {
    const p = makeProfile({ connectivity: { link: 'lpwan', keepalive: '5m', network: { loss: 0.05 } } })
    expect(p.connectivity.keepalive).toBe(300_000)
    expect(p.connectivity.backoff.initial).toBe(1_000) // BASE_PROFILE's own backoff
    expect(resolveNetwork(p.connectivity.network!, p.connectivity.link)).toEqual({ latency: LINK_PRESETS.lpwan.latency, loss: 0.05, bandwidth: 3_000 })
  })

  it('without network the plain defaults stay and the path is ideal', () => {
    const p = makeProfile({ connectivity: { link: 'cellular' } })
    expect(p.connectivity.keepalive).toBe(30_000)
    expect(p.connectivity.network).toBeUndefined()
  })

  it('bad network fields are reported with line, path and hint', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fleet-emu-net-'))
    const file = join(dir, 'bad.device.yaml')
    writeFileSync(
      file,
      ['name: bad', 'telemetry: { period: 1s }', 'sensors:', '  t: { signal: { kind: constant, value: 1 } }', 'connectivity:', '  network:', '    preset: satellite', '    latency: { median: 80ms, p99: 20ms }', '    loss: 2', ''].join('\n'),
    )
    const r = checkProfileFile(file)
    expect(r.ok).toBe(false)
    if (r.ok) return
    const byPath = Object.fromEntries(r.problems.map((p) => [p.path, p]))
    expect(Object.keys(byPath).sort()).toEqual(['connectivity.network.latency.p99', 'connectivity.network.loss', 'connectivity.network.preset'])
    expect(byPath['connectivity.network.preset']!.line).toBe(7)
    expect(byPath['connectivity.network.latency.p99']!.message).toMatch(/below median/)
    expect(byPath['connectivity.network.latency.p99']!.hint).toMatch(/median: 60ms/)
    expect(byPath['connectivity.network.loss']!.line).toBe(9)
  })
})

describe('a device on a preset network (virtual time, in-process link)', () => {
  let rig: Rig | undefined
  afterEach(async () => {
    await rig?.stopAll()
    rig = undefined
  })

  it('its telemetry arrives late by the preset latency, in order, none lost even with 20% packet loss', () => {
    rig = createRig()
    const d = rig.add('d1', makeProfile({ connectivity: { network: { preset: 'cellular', loss: 0.2 } } }))
    d.start()
    rig.runTo(3_600_000)
    const sent = rig.hooks.samples.filter((s) => s.device === 'd1')
    const got = rig.telemetry('d1')
    expect(sent.length).toBeGreaterThan(3_500)
    // Everything sampled up to a few seconds before the end has arrived.
    const settled = sent.filter((s) => s.at < rig!.clock.now() - 10_000)
    expect(got.length).toBeGreaterThanOrEqual(settled.length)
    const seqs = got.map((r) => r.json.seq as number)
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b))
    expect(new Set(seqs).size).toBe(seqs.length)
    const delays = got.map((r) => r.at - (r.json.ts as number))
    // Head-of-line blocking behind resent packets pushes the median above the path's 60 ms.
    expect(quantile(delays, 0.5)).toBeGreaterThanOrEqual(55)
    expect(quantile(delays, 0.99)).toBeGreaterThan(500)
    expect(d.currentStates.connectivity).toBe('online')
  })

  it('an ideal path (no network) delivers at once', () => {
    rig = createRig()
    const d = rig.add('d1', makeProfile())
    d.start()
    rig.runTo(60_000)
    const delays = rig.telemetry('d1').map((r) => r.at - (r.json.ts as number))
    expect(delays.length).toBeGreaterThan(50)
    expect(Math.max(...delays)).toBe(0)
    void d
  })
})
