import { afterEach, describe, expect, it, vi } from 'vitest'
import { deriveStream } from '../../../src/core/rng.js'
import { firmwareContext, firmwareSetup } from '../../../src/device/kit.js'
import type { ValueFault } from '../../../src/device/value-fault.js'
import { EPOCH, createRig, makeProfile, type Rig } from './device-harness.js'

/** VirtualDevice + Sampler + basic firmware + InProcessLink, all on one VirtualClock. */
let rig: Rig
afterEach(async () => {
  await rig.stopAll()
})

const telemetrySeqs = (id: string) => rig.telemetry(id).map((r) => r.json.seq as number)

describe('VirtualDevice: boot, connect, publish', () => {
  it('boots for bootTime, connects at once over the in-process link, and announces itself online (retained)', () => {
    rig = createRig()
    const d = rig.add('d1')
    expect(d.currentStates).toEqual({ firmware: 'off', connectivity: 'offline', battery: 'mains', sensors: 'ok' })
    d.start()
    expect(d.currentStates.firmware).toBe('booting')
    rig.runTo(1_999)
    expect(d.currentStates.connectivity).toBe('offline')
    expect(rig.sink).toEqual([])
    rig.runTo(2_000)
    expect(d.currentStates).toEqual({ firmware: 'running', connectivity: 'online', battery: 'mains', sensors: 'ok' })
    expect(rig.hooks.entered('d1', 'firmware', 'running')).toEqual([EPOCH + 2_000])
    expect(rig.hooks.entered('d1', 'connectivity', 'connecting')).toEqual([EPOCH + 2_000])
    expect(rig.hooks.entered('d1', 'connectivity', 'online')).toEqual([EPOCH + 2_000])
    expect(rig.hooks.connects).toEqual([{ at: EPOCH + 2_000, device: 'd1', outcome: 'success' }])
    expect(rig.sink[0]).toEqual({ at: EPOCH + 2_000, clientId: 'd1', topic: 'devices/d1/status', payload: 'online', qos: 1, retain: true })
  })

  it('publishes telemetry at its period, seq strictly increasing from 1, ts = publish time, values as sampled', () => {
    rig = createRig()
    rig.add('d1').start()
    rig.runTo(30_000)
    const t = rig.telemetry('d1')
    expect(t.length).toBeGreaterThanOrEqual(27)
    expect(t.length).toBeLessThanOrEqual(29)
    t.forEach((r, i) => {
      expect(r.json.seq).toBe(i + 1)
      expect(r.json.ts).toBe(r.at)
      expect(r.qos).toBe(0)
      expect(Object.keys(r.json)).toEqual(['ts', 'seq', 'temperature', 'humidity'])
      if (i > 0) expect(r.at - t[i - 1]!.at).toBe(1_000)
    })
    expect(t[0]!.at).toBeGreaterThanOrEqual(EPOCH + 2_000)
    expect(t[0]!.at).toBeLessThan(EPOCH + 3_000)
    // Every produced sample was published as it was sampled.
    const samples = rig.hooks.samples.filter((s) => s.device === 'd1')
    expect(samples.map((s) => s.seq)).toEqual(t.map((r) => r.json.seq))
    samples.forEach((s, i) => {
      expect(s.sample.values).toEqual(s.sample.clean)
      expect(t[i]!.json.temperature).toBe(s.sample.values.temperature)
      expect(t[i]!.json.humidity).toBe(s.sample.values.humidity)
    })
    // `published` counts telemetry (fleet_messages_published_total); the status message is not one.
    expect(rig.hooks.publishes.filter((p) => p.device === 'd1').map((p) => p.bytes)).toEqual(t.map((r) => Buffer.byteLength(r.payload)))
    expect(rig.hooks.dropped).toEqual([])
  })

  it('samples on a seeded phase: same seed, same schedule; another device or seed, another phase', () => {
    const firstAt = (seed: number, id: string) => {
      rig = createRig({ seed })
      rig.add(id).start()
      rig.runTo(5_000)
      const at = rig.telemetry(id)[0]!.at
      void rig.stopAll()
      return at
    }
    expect(firstAt(1, 'a')).toBe(firstAt(1, 'a'))
    const phases = new Set([firstAt(1, 'a'), firstAt(1, 'b'), firstAt(2, 'a'), firstAt(3, 'a')])
    expect(phases.size).toBeGreaterThan(2)
  })

  it('stop(): status offline (retained), then nothing more, and no timers left on the clock', async () => {
    rig = createRig()
    const d = rig.add('d1')
    d.start()
    rig.runTo(5_000)
    await d.stop()
    expect(rig.sink.at(-1)).toMatchObject({ topic: 'devices/d1/status', payload: 'offline', retain: true })
    expect(d.currentStates.connectivity).toBe('stopped')
    const n = rig.sink.length
    expect(rig.clock.pending).toBe(0)
    rig.runTo(60_000)
    expect(rig.sink.length).toBe(n)
  })
})

describe('VirtualDevice: network loss, offline buffer, backoff', () => {
  it('keeps the last offlineBuffer samples while down and flushes them in order on reconnect, dropping the oldest', () => {
    rig = createRig()
    const d = rig.add('d1', makeProfile({ connectivity: { offlineBuffer: 3 } }))
    d.start()
    rig.runTo(10_000)
    const before = telemetrySeqs('d1')
    d.setNetworkDown(true)
    expect(d.currentStates.connectivity).toBe('backing-off')
    expect(rig.hooks.disconnects).toEqual([{ at: EPOCH + 10_000, device: 'd1', reason: 'network-down' }])
    // The last will: the broker side says offline.
    expect(rig.sink.at(-1)).toMatchObject({ at: EPOCH + 10_000, topic: 'devices/d1/status', payload: 'offline', retain: true })
    rig.runTo(20_500)
    expect(rig.telemetry('d1').length).toBe(before.length)
    d.setNetworkDown(false)
    rig.runTo(40_000)
    expect(d.currentStates.connectivity).toBe('online')

    const onlineAt = rig.hooks.entered('d1', 'connectivity', 'online')[1]!
    const all = rig.hooks.samples.filter((s) => s.device === 'd1')
    const offline = all.filter((s) => s.at > EPOCH + 10_000 && s.at < onlineAt).map((s) => s.seq)
    expect(offline.length).toBeGreaterThan(10)
    const kept = offline.slice(-3)
    expect(rig.hooks.dropped.length).toBe(offline.length - 3)

    const t = rig.telemetry('d1')
    const flushed = t.slice(before.length, before.length + 3)
    expect(flushed.map((r) => r.json.seq)).toEqual(kept)
    for (const r of flushed) {
      expect(r.at).toBe(onlineAt) // sent at once on reconnect…
      expect(r.json.ts as number).toBeLessThan(onlineAt) // …with the time they were taken
    }
    // After the status message.
    const statusIdx = rig.sink.findIndex((r) => r.at === onlineAt && r.payload === 'online')
    const firstFlushIdx = rig.sink.findIndex((r) => r.topic.endsWith('/telemetry') && JSON.parse(r.payload).seq === kept[0])
    expect(statusIdx).toBeLessThan(firstFlushIdx)
    // Overall: seq strictly increasing, gaps only where samples were dropped.
    const seqs = t.map((r) => r.json.seq as number)
    for (let i = 1; i < seqs.length; i++) expect(seqs[i]!).toBeGreaterThan(seqs[i - 1]!)
    expect(new Set([...seqs, ...offline.slice(0, -3)]).size).toBe(all.length)
  })

  it('without an offline buffer drops every sample taken while offline', () => {
    rig = createRig()
    const d = rig.add('d1')
    d.start()
    rig.runTo(10_000)
    d.setNetworkDown(true)
    rig.runTo(15_000)
    d.setNetworkDown(false)
    rig.runTo(30_000)
    const published = new Set(telemetrySeqs('d1'))
    const missing = rig.hooks.samples.filter((s) => !published.has(s.seq))
    expect(missing.length).toBeGreaterThanOrEqual(5)
    expect(rig.hooks.dropped.length).toBe(missing.length)
  })

  it('backs off between failed attempts within [ceiling·(1−jitter), ceiling], ceiling = min(max, initial·multiplier^attempt)', () => {
    const backoff = { initial: '1s', max: '8s', multiplier: 2, jitter: 0.5 }
    const gaps = (seed: number) => {
      rig = createRig({ seed })
      const d = rig.add('d1', makeProfile({ connectivity: { backoff } }))
      d.start()
      rig.runTo(5_000)
      d.setNetworkDown(true)
      rig.runTo(80_000)
      const attempts = [EPOCH + 5_000, ...rig.hooks.connects.filter((c) => c.outcome === 'unreachable').map((c) => c.at)]
      void rig.stopAll()
      return attempts.slice(1).map((at, i) => at - attempts[i]!)
    }
    const g = gaps(42)
    expect(g.length).toBeGreaterThanOrEqual(10)
    g.forEach((gap, k) => {
      const ceiling = Math.min(8_000, 1_000 * 2 ** k)
      expect(gap, `attempt ${k}`).toBeGreaterThanOrEqual(ceiling * 0.5)
      expect(gap, `attempt ${k}`).toBeLessThanOrEqual(ceiling)
    })
    // Drawn from the device's own seeded "network" stream.
    const net = deriveStream(42, 'd1', 'network')
    expect(g).toEqual(g.map((_, k) => Math.round(Math.min(8_000, 1_000 * 2 ** k) * (1 - 0.5 * net.next()))))
    expect(gaps(42)).toEqual(g)
    expect(gaps(43)).not.toEqual(g)
  })

  it('reconnects at the next backoff after the network returns, and the attempt count starts over', () => {
    rig = createRig()
    const d = rig.add('d1', makeProfile({ connectivity: { backoff: { initial: '1s', max: '8s', jitter: 0 } } }))
    d.start()
    rig.runTo(5_000)
    d.setNetworkDown(true) // attempts at +1 s, +3 s, +7 s, +15 s…
    rig.runTo(13_000)
    d.setNetworkDown(false)
    rig.runTo(30_000)
    expect(rig.hooks.connects.map((c) => [c.at - EPOCH, c.outcome])).toEqual([
      [2_000, 'success'],
      [6_000, 'unreachable'],
      [8_000, 'unreachable'],
      [12_000, 'unreachable'],
      [20_000, 'success'],
    ])
    d.setNetworkDown(true)
    rig.runTo(31_500)
    expect(rig.hooks.connects.at(-1)).toEqual({ at: EPOCH + 31_000, device: 'd1', outcome: 'unreachable' })
  })
})

describe('VirtualDevice: value faults', () => {
  const fault = (over: Partial<ValueFault> = {}): ValueFault => ({
    faultId: 'vf-1',
    kind: 'test',
    sensors: new Set(['humidity']),
    mutate: () => 42,
    ...over,
  })
  const samplesFrom = (relMs: number) => rig.hooks.samples.filter((s) => s.at >= EPOCH + relMs)

  it('mutates only the listed sensors, records the fault id, and sets sensors faulted until detached', () => {
    rig = createRig()
    const d = rig.add('d1')
    d.start()
    rig.runTo(5_000)
    d.attachValueFault(fault())
    expect(d.currentStates.sensors).toBe('faulted')
    rig.runTo(10_000)
    const during = samplesFrom(5_000)
    expect(during.length).toBe(5)
    for (const { sample } of during) {
      expect(sample.values.humidity).toBe(42)
      expect(sample.values.temperature).toBe(sample.clean.temperature)
      expect(sample.clean.humidity).not.toBe(42)
      expect(sample.faultIds).toEqual({ humidity: ['vf-1'] })
    }
    // The payload carries the faulty value.
    expect(rig.telemetry('d1').at(-1)!.json.humidity).toBe(42)
    d.detachValueFault('vf-1')
    expect(d.currentStates.sensors).toBe('ok')
    rig.runTo(15_000)
    for (const { sample } of samplesFrom(10_000)) {
      expect(sample.values).toEqual(sample.clean)
      expect(sample.faultIds).toEqual({})
    }
  })

  it('a fault without a sensor list touches every sensor; faulty values are clamped to the range and rounded', () => {
    rig = createRig()
    const d = rig.add('d1')
    d.start()
    rig.runTo(5_000)
    d.attachValueFault(fault({ sensors: undefined, mutate: (_s, clean) => clean + 1_000.123456 }))
    rig.runTo(7_000)
    for (const { sample } of samplesFrom(5_000)) {
      expect(sample.values).toEqual({ temperature: 85, humidity: 100 })
      expect(sample.faultIds).toEqual({ temperature: ['vf-1'], humidity: ['vf-1'] })
    }
  })

  it('afterSample returning true detaches the fault after that sample and calls onFinished once', () => {
    rig = createRig()
    const d = rig.add('d1')
    d.start()
    rig.runTo(5_000)
    let left = 2
    const onFinished = vi.fn(() => d.detachValueFault('vf-1'))
    d.attachValueFault(fault({ afterSample: () => --left <= 0, onFinished }))
    rig.runTo(10_000)
    const after = samplesFrom(5_000)
    expect(after.map((s) => s.sample.values.humidity === 42)).toEqual([true, true, false, false, false])
    expect(onFinished).toHaveBeenCalledOnce()
    expect(d.currentStates.sensors).toBe('ok')
  })

  it('null from mutate is reported as null (no reading), and later faults skip that sensor', () => {
    rig = createRig()
    const d = rig.add('d1')
    d.start()
    rig.runTo(5_000)
    const later = vi.fn((_s: string, clean: number) => clean)
    d.attachValueFault(fault({ faultId: 'a', mutate: () => null }))
    d.attachValueFault(fault({ faultId: 'b', mutate: later }))
    rig.runTo(6_500)
    const [s] = samplesFrom(5_000)
    expect(s!.sample.values.humidity).toBeNull()
    expect(s!.sample.faultIds).toEqual({ humidity: ['a'] })
    expect(later).not.toHaveBeenCalled()
    expect(rig.telemetry('d1').at(-1)!.payload).toContain('"humidity":null')
    // Detaching one of two keeps the sensors faulted.
    d.detachValueFault('a')
    expect(d.currentStates.sensors).toBe('faulted')
    d.detachValueFault('b')
    expect(d.currentStates.sensors).toBe('ok')
  })
})

describe('VirtualDevice: battery', () => {
  // 10 mAh; 36 mA idle = 0.01 mAh/s; 0.01 mAh per message; one message per second once online.
  const battery = { capacityMah: 10, idleMa: 36, perMessageMah: 0.01, lowPercent: 20, criticalPercent: 5 }

  /** When the drained charge first reaches `mah` (continuous approximation). */
  function expectedAt(mah: number, firstTickRel: number, firstPublishRel: number): number {
    const idlePerMs = battery.idleMa / 3_600_000
    const perMsgPerMs = battery.perMessageMah / 1_000
    // idle·(t − t0) + m·((t − tp)/P + 1) = mah
    return EPOCH + (mah - battery.perMessageMah + idlePerMs * firstTickRel + perMsgPerMs * firstPublishRel) / (idlePerMs + perMsgPerMs)
  }

  it('goes ok → low → critical → dead at the analytically expected times, then powers off: firmware off, offline, silent', () => {
    rig = createRig()
    const d = rig.add('d1', makeProfile({ battery }))
    d.start()
    expect(d.currentStates.battery).toBe('ok')
    rig.runTo(700_000)
    const first = rig.hooks.samples[0]!.sample.tRelMs
    const t0 = first % 1_000
    const at = (level: string) => rig.hooks.entered('d1', 'battery', level)
    const within = (actual: number[], mah: number) => {
      expect(actual).toHaveLength(1)
      expect(Math.abs(actual[0]! - expectedAt(mah, t0, first))).toBeLessThanOrEqual(1_000)
    }
    within(at('low'), 8) // 20 % left
    within(at('critical'), 9.5) // 5 % left
    within(at('dead'), 10)
    const deadAt = at('dead')[0]!
    expect(deadAt - EPOCH).toBeGreaterThan(490_000)
    expect(deadAt - EPOCH).toBeLessThan(510_000)
    // Dead runs powerOff: firmware off, link dropped (last will), nothing published after.
    expect(rig.hooks.entered('d1', 'firmware', 'off')).toEqual([deadAt])
    expect(rig.hooks.entered('d1', 'connectivity', 'offline')).toEqual([deadAt])
    expect(d.currentStates).toMatchObject({ firmware: 'off', connectivity: 'offline', battery: 'dead' })
    expect(d.batteryPercent).toBe(0)
    expect(rig.sink.filter((r) => r.at > deadAt)).toEqual([])
    expect(rig.sink.at(-1)).toMatchObject({ at: deadAt, topic: 'devices/d1/status', payload: 'offline' })
    // The payload reports the charge, falling.
    const reported = rig.telemetry('d1').map((r) => r.json.battery as number)
    expect(reported[0]).toBeGreaterThan(99)
    for (let i = 1; i < reported.length; i++) expect(reported[i]!).toBeLessThanOrEqual(reported[i - 1]!)
    expect(reported.at(-1)!).toBeLessThan(0.5)
  })

  it('with an initialPercent range starts at a seeded level inside it', () => {
    rig = createRig()
    const a = rig.add('a', makeProfile({ battery: { ...battery, capacityMah: 1000, initialPercent: [40, 60] } }))
    const b = rig.add('b', makeProfile({ battery: { ...battery, capacityMah: 1000, initialPercent: [40, 60] } }))
    for (const d of [a, b]) {
      expect(d.batteryPercent!).toBeGreaterThanOrEqual(40)
      expect(d.batteryPercent!).toBeLessThanOrEqual(60)
    }
    expect(a.batteryPercent).not.toBe(b.batteryPercent)
    expect(a.batteryPercent).toBeCloseTo(deriveStream(42, 'a', 'boot').uniform(40, 60), 9)
  })
})

describe('VirtualDevice: commands', () => {
  /** Delivers a command as the broker would and returns the reply the device published. */
  function command(payload: string, topic = 'devices/d1/commands') {
    const before = rig.sink.length
    rig.listeners.get('d1')!.onMessage(topic, Buffer.from(payload))
    return rig.sink.slice(before).filter((r) => r.topic.includes('/reply'))
  }

  function online() {
    rig = createRig()
    const d = rig.add('d1')
    d.start()
    rig.runTo(5_000)
    return d
  }

  it('ping is answered done, with the current seq', () => {
    const d = online()
    const [reply] = command('{"id":"p1","name":"ping"}')
    expect(reply).toMatchObject({ topic: 'devices/d1/commands/p1/reply', qos: 1, retain: false })
    expect(JSON.parse(reply!.payload)).toEqual({ id: 'p1', status: 'done', reason: `seq=${d.publishedSeq}` })
    expect(rig.hooks.commands).toEqual([{ at: EPOCH + 5_000, device: 'd1', name: 'ping', status: 'done' }])
  })

  it('an unknown command is rejected, naming the supported ones', () => {
    online()
    const [reply] = command('{"id":"x9","name":"self-destruct"}')
    expect(JSON.parse(reply!.payload)).toEqual({ id: 'x9', status: 'rejected', reason: 'unknown command "self-destruct" (supported: reboot, ping)' })
    expect(rig.hooks.commands.at(-1)).toMatchObject({ name: 'unknown', status: 'rejected' })
  })

  it('a malformed command is answered on the "invalid" reply topic; the device keeps running', () => {
    const d = online()
    const [reply] = command('{not json')
    expect(reply!.topic).toBe('devices/d1/commands/invalid/reply')
    expect(JSON.parse(reply!.payload)).toEqual({ id: 'invalid', status: 'rejected', reason: 'payload is not valid JSON' })
    expect(rig.hooks.commands.at(-1)).toMatchObject({ name: 'invalid', status: 'rejected' })
    rig.runTo(8_000)
    expect(d.currentStates).toMatchObject({ firmware: 'running', connectivity: 'online' })
  })

  it('reboot is accepted first, then the firmware reboots and the device comes back', () => {
    const d = online()
    const [reply] = command('{"id":"r1","name":"reboot"}')
    expect(JSON.parse(reply!.payload)).toEqual({ id: 'r1', status: 'accepted' })
    expect(d.currentStates.firmware).toBe('rebooting')
    expect(d.currentStates.connectivity).toBe('offline')
    rig.runTo(5_000 + 500 + 2_000)
    expect(d.currentStates).toMatchObject({ firmware: 'running', connectivity: 'online' })
    expect(rig.hooks.entered('d1', 'firmware', 'booting')).toEqual([EPOCH, EPOCH + 5_500])
  })

  it('messages on other topics are ignored', () => {
    online()
    expect(command('{"id":"p1","name":"ping"}', 'devices/other/commands')).toEqual([])
    expect(rig.hooks.commands).toEqual([])
  })
})

describe('VirtualDevice: a firmware model that throws', () => {
  /** `basic`, but a crash runs an action with a bug in it. */
  const buggy = firmwareSetup.createMachine({
    id: 'buggy',
    context: firmwareContext,
    initial: 'booting',
    states: {
      booting: { after: { bootTime: 'running' } },
      running: {
        entry: 'notifyUp',
        exit: 'notifyDown',
        on: {
          'firmware.crash': {
            actions: () => {
              throw new Error('model bug: cannot read the crash dump')
            },
          },
        },
      },
      off: {},
    },
  })

  it('stops that device only: firmware `error`, offline with its last will, no more telemetry; other devices run on', () => {
    rig = createRig({ firmware: buggy })
    const bad = rig.add('bad')
    const good = rig.add('good')
    bad.start()
    good.start()
    rig.runTo(5_000)
    expect(bad.currentStates).toMatchObject({ firmware: 'running', connectivity: 'online' })
    bad.sendFirmwareEvent('firmware.crash')
    expect(bad.currentStates).toMatchObject({ firmware: 'error', connectivity: 'offline' })
    expect(bad.failure).toBe('model bug: cannot read the crash dump')
    expect(rig.hooks.entered('bad', 'firmware', 'error')).toEqual([EPOCH + 5_000])
    // Dropped, not a clean goodbye: the broker's side publishes the will (status offline).
    expect(rig.hooks.disconnects.filter((x) => x.device === 'bad').map((x) => x.reason)).toEqual(['dropped'])
    const badBefore = rig.telemetry('bad').length
    const goodBefore = rig.telemetry('good').length
    rig.runTo(30_000)
    expect(rig.telemetry('bad').length).toBe(badBefore)
    expect(rig.telemetry('good').length).toBeGreaterThan(goodBefore + 20)
    expect(good.currentStates).toMatchObject({ firmware: 'running', connectivity: 'online' })
    // Further events are ignored.
    bad.sendFirmwareEvent('command.reboot')
    expect(bad.currentStates.firmware).toBe('error')
  })
})
