import { afterEach, describe, expect, it } from 'vitest'
import { otaFirmware } from '../../../firmware-models/ota.machine.js'
import { checkProfileFile } from '../../../src/fleet/load-fleet.js'
import { decodeOfficial, DT, encodeOfficial, int64, metricNamed, type OfficialPayloadObject } from '../../fixtures/sparkplug/official-decoder.js'
import { EPOCH, createRig, makeProfile, type Rig } from './device-harness.js'

/**
 * A virtual device with `topics.convention: sparkplug`, in virtual time over the in-process link:
 * what it publishes is decoded with the official sparkplug_b.proto, not with our codec.
 */
let rig: Rig
afterEach(async () => {
  await rig.stopAll()
})

const SPARKPLUG = { topics: { convention: 'sparkplug', groupId: 'plant-1' } }

interface Seen {
  at: number
  type: string
  topic: string
  qos: number
  retain: boolean
  payload: OfficialPayloadObject
}

/** Everything `id` (or the broker for it: the will) published on spBv1.0/…, decoded officially. */
function sparkplug(id: string): Seen[] {
  return rig.raw
    .filter((r) => r.clientId === id && r.topic.startsWith('spBv1.0/'))
    .map((r) => ({ at: r.at, type: r.topic.split('/')[2]!, topic: r.topic, qos: r.qos, retain: r.retain, payload: decodeOfficial(r.bytes) }))
}
const ofType = (id: string, type: string) => sparkplug(id).filter((m) => m.type === type)
const bdSeqOf = (m: Seen) => int64(metricNamed(m.payload, 'bdSeq').longValue)
const names = (p: OfficialPayloadObject) => p.metrics!.map((m) => m.name)
const seqs = (ms: Seen[]) => ms.map((m) => Number(m.payload.seq))

const command = (name: string, value: unknown, datatype: number = DT.Boolean) =>
  encodeOfficial({ timestamp: EPOCH, metrics: [{ name, timestamp: EPOCH, datatype, ...(typeof value === 'boolean' ? { booleanValue: value } : { doubleValue: value }) }] })

describe('VirtualDevice with the Sparkplug B convention', () => {
  it('after CONNACK: NBIRTH (seq 0, bdSeq 0) and DBIRTH (seq 1, every metric) on spBv1.0 topics, then one DDATA per sample (QoS 0)', () => {
    rig = createRig()
    const profile = makeProfile({ ...SPARKPLUG, telemetry: { qos: 1 }, battery: { capacityMah: 1000, initialPercent: 80 }, firmware: { version: '1.4.2' } })
    const d = rig.add('th-01', profile, { group: 'floor-2' })
    d.start()
    rig.runTo(10_000)
    const all = sparkplug('th-01')
    expect(all.slice(0, 2).map((m) => [m.topic, m.payload.seq, m.at])).toEqual([
      ['spBv1.0/plant-1/NBIRTH/th-01', '0', EPOCH + 2_000],
      ['spBv1.0/plant-1/DBIRTH/th-01/sensors', '1', EPOCH + 2_000],
    ])
    const nbirth = all[0]!.payload
    expect(nbirth.metrics!.map((m) => m.name)).toEqual(['bdSeq', 'Node Control/Rebirth', 'Node Control/Reboot'])
    expect(bdSeqOf(all[0]!)).toBe(0n)
    const dbirth = all[1]!.payload
    expect(dbirth.metrics!.map((m) => [m.name, m.datatype])).toEqual([
      ['temperature', DT.Double],
      ['humidity', DT.Double],
      ['battery', DT.Double],
      ['Device Control/Rebirth', DT.Boolean],
      ['Properties/FW', DT.String],
    ])
    expect(metricNamed(dbirth, 'temperature').isNull).toBe(true) // no sample yet
    expect(metricNamed(dbirth, 'Properties/FW').stringValue).toBe('1.4.2')
    // No generic topics at all: no status, no JSON telemetry.
    expect(rig.sink.filter((r) => r.clientId === 'th-01' && !r.topic.startsWith('spBv1.0/'))).toEqual([])

    const ddata = ofType('th-01', 'DDATA')
    const samples = rig.hooks.samples.filter((s) => s.device === 'th-01')
    expect(ddata.length).toBe(samples.length)
    expect(ddata.length).toBeGreaterThanOrEqual(7)
    expect(seqs(ddata)).toEqual(ddata.map((_, i) => i + 2))
    ddata.forEach((m, i) => {
      const s = samples[i]!
      expect(m.topic).toBe('spBv1.0/plant-1/DDATA/th-01/sensors')
      expect(m.qos).toBe(0) // Sparkplug: data at QoS 0, whatever telemetry.qos says
      expect(m.retain).toBe(false)
      expect(Number(m.payload.timestamp)).toBe(s.sample.ts)
      expect(m.payload.metrics!.map((x) => x.name)).toEqual(['temperature', 'humidity', 'battery'])
      expect(metricNamed(m.payload, 'temperature').doubleValue).toBe(s.sample.values.temperature)
      expect(Number(metricNamed(m.payload, 'humidity').timestamp)).toBe(s.sample.ts)
      expect(metricNamed(m.payload, 'battery').doubleValue).toBeGreaterThan(79)
      expect(metricNamed(m.payload, 'temperature').isHistorical).toBeUndefined()
    })
    // The delivery probe's view: each telemetry publish carries the device seq and the DDATA's seq.
    expect(rig.hooks.publishedSeqs.filter((p) => p.device === 'th-01')).toEqual(samples.map((s, i) => ({ device: 'th-01', seq: s.seq, wireSeq: i + 2 })))
    expect(d.telemetryTopic).toBe('spBv1.0/plant-1/DDATA/th-01/sensors')
    expect(d.telemetryConvention).toBe('sparkplug')
  })

  it('ids come from the templates: groupId {group} and edgeNodeId {id} by default', () => {
    rig = createRig()
    rig.add('n-7', makeProfile({ topics: { convention: 'sparkplug', deviceId: '{profile}' } }), { group: 'line-3' }).start()
    rig.runTo(2_500)
    expect(sparkplug('n-7').slice(0, 2).map((m) => m.topic)).toEqual(['spBv1.0/line-3/NBIRTH/n-7', 'spBv1.0/line-3/DBIRTH/n-7/test-sensor'])
  })

  it('registers the NDEATH will with the bdSeq of every CONNECT: an unclean drop publishes the NBIRTH\'s bdSeq, the next CONNECT takes the next', () => {
    rig = createRig()
    const d = rig.add('n1', makeProfile(SPARKPLUG))
    d.start()
    rig.runTo(3_000)
    d.setNetworkDown(true)
    rig.runTo(3_500)
    const deaths = ofType('n1', 'NDEATH')
    expect(deaths).toHaveLength(1)
    expect(deaths[0]).toMatchObject({ topic: 'spBv1.0/plant-1/NDEATH/n1', qos: 1, retain: false, at: EPOCH + 3_000 })
    expect(Object.keys(deaths[0]!.payload)).not.toContain('seq')
    expect(bdSeqOf(deaths[0]!)).toBe(0n)
    // Offline for a few backoff rounds: every CONNECT attempt takes a bdSeq, failed ones included.
    rig.runTo(9_000)
    d.setNetworkDown(false)
    rig.runTo(16_000)
    expect(d.currentStates.connectivity).toBe('online')
    const attempts = rig.hooks.connects.filter((c) => c.device === 'n1').length
    const births = ofType('n1', 'NBIRTH')
    expect(births).toHaveLength(2)
    expect(bdSeqOf(births[1]!)).toBe(BigInt(attempts - 1))
    expect(attempts).toBeGreaterThan(2)
    // The new session's births start at seq 0 again; DDATA continues from 2.
    const after = sparkplug('n1').filter((m) => m.at >= births[1]!.at)
    expect(seqs(after.slice(0, 4))).toEqual([0, 1, 2, 3])
    // Dropping the new session: its will has its own bdSeq.
    d.bounce()
    rig.runTo(17_000)
    expect(ofType('n1', 'NDEATH').map(bdSeqOf)).toEqual([0n, BigInt(attempts - 1)])
    expect(bdSeqOf(ofType('n1', 'NBIRTH')[2]!)).toBe(BigInt(attempts))
  })

  it('NCMD Node Control/Rebirth: NBIRTH + DBIRTH again, seq back to 0, same bdSeq, last values in the DBIRTH', () => {
    rig = createRig()
    const d = rig.add('n1', makeProfile(SPARKPLUG))
    d.start()
    rig.runTo(6_000)
    const lastSample = d.lastSample!
    rig.listeners.get('n1')!.onMessage('spBv1.0/plant-1/NCMD/n1', command('Node Control/Rebirth', true))
    const births = ofType('n1', 'NBIRTH')
    expect(births).toHaveLength(2)
    expect(births[1]!.payload.seq).toBe('0')
    expect(bdSeqOf(births[1]!)).toBe(bdSeqOf(births[0]!))
    const dbirth = ofType('n1', 'DBIRTH')[1]!
    expect(dbirth.payload.seq).toBe('1')
    expect(metricNamed(dbirth.payload, 'temperature').doubleValue).toBe(lastSample.values.temperature)
    expect(Number(metricNamed(dbirth.payload, 'temperature').timestamp)).toBe(lastSample.ts)
    rig.runTo(7_000)
    expect(ofType('n1', 'DDATA').at(-1)!.payload.seq).toBe('2')
    expect(rig.hooks.commands).toEqual([{ at: EPOCH + 6_000, device: 'n1', name: 'rebirth', status: 'done' }])

    // DCMD Device Control/Rebirth: a DBIRTH alone, seq continues.
    rig.listeners.get('n1')!.onMessage('spBv1.0/plant-1/DCMD/n1/sensors', command('Device Control/Rebirth', true))
    expect(ofType('n1', 'DBIRTH')).toHaveLength(3)
    expect(ofType('n1', 'DBIRTH')[2]!.payload.seq).toBe('3')
    expect(ofType('n1', 'NBIRTH')).toHaveLength(2)
  })

  it('NCMD Node Control/Reboot goes through the firmware: rebooting, the broker publishes the NDEATH will, then a new CONNECT and births', () => {
    rig = createRig()
    const d = rig.add('n1', makeProfile(SPARKPLUG))
    d.start()
    rig.runTo(3_000)
    rig.listeners.get('n1')!.onMessage('spBv1.0/plant-1/NCMD/n1', command('Node Control/Reboot', true))
    expect(d.currentStates.firmware).toBe('rebooting')
    expect(ofType('n1', 'NDEATH').map(bdSeqOf)).toEqual([0n])
    rig.runTo(8_000)
    expect(rig.hooks.entered('n1', 'firmware', 'running')).toHaveLength(2)
    expect(ofType('n1', 'NBIRTH').map(bdSeqOf)).toEqual([0n, 1n])
    expect(rig.hooks.commands.map((c) => [c.name, c.status])).toEqual([['reboot', 'accepted']])
  })

  it('bad commands are counted and change nothing; the device never crashes on them', () => {
    rig = createRig()
    const d = rig.add('n1', makeProfile(SPARKPLUG))
    d.start()
    rig.runTo(3_000)
    const before = rig.raw.length
    const deliver = (topic: string, payload: Buffer) => rig.listeners.get('n1')!.onMessage(topic, payload)
    deliver('spBv1.0/plant-1/NCMD/n1', Buffer.from([0x7f, 0xff, 0x00])) // not a Sparkplug payload
    deliver('spBv1.0/plant-1/NCMD/n1', Buffer.from('{"name":"rebirth"}'))
    deliver('spBv1.0/plant-1/NCMD/n1', command('Node Control/Rebirth', false))
    deliver('spBv1.0/plant-1/NCMD/n1', command('Node Control/Rebrith', true))
    deliver('spBv1.0/plant-1/NCMD/n1', command('Node Control/Reboot', 1, DT.Double))
    deliver('spBv1.0/plant-1/DCMD/n1/sensors', command('temperature', 30, DT.Double)) // sensors are read-only
    deliver('spBv1.0/plant-1/NCMD/other-node', command('Node Control/Rebirth', true)) // not ours: ignored
    deliver('spBv1.0/plant-1/NCMD/n1', Buffer.alloc(0)) // an empty payload decodes as no metrics
    expect(rig.raw.length).toBe(before)
    expect(d.currentStates.firmware).toBe('running')
    expect(rig.hooks.commands.map((c) => [c.name, c.status])).toEqual([
      ['invalid', 'rejected'],
      ['invalid', 'rejected'],
      ['invalid', 'rejected'],
      ['invalid', 'rejected'],
      ['invalid', 'rejected'],
      ['write', 'rejected'],
    ])
    rig.runTo(6_000)
    expect(seqs(ofType('n1', 'DDATA')).slice(0, 3)).toEqual([2, 3, 4])
  })

  it('store and forward: samples made offline go out after the births, in order, flagged is_historical; live ones are not', () => {
    rig = createRig()
    const d = rig.add('n1', makeProfile({ ...SPARKPLUG, connectivity: { offlineBuffer: 3 } }))
    d.start()
    rig.runTo(4_500)
    d.setNetworkDown(true)
    rig.runTo(9_500) // five or more samples while offline: all but the last three dropped
    d.setNetworkDown(false)
    rig.runTo(14_000)
    const rebirth = ofType('n1', 'NBIRTH')[1]!
    const offline = rig.hooks.samples.filter((s) => s.at > EPOCH + 4_500 && s.at < rebirth.at)
    expect(offline.length).toBeGreaterThanOrEqual(5)
    expect(rig.hooks.dropped).toHaveLength(offline.length - 3)
    const after = sparkplug('n1').filter((m) => m.at >= rebirth.at)
    expect(after.slice(0, 5).map((m) => m.type)).toEqual(['NBIRTH', 'DBIRTH', 'DDATA', 'DDATA', 'DDATA'])
    const historical = after.slice(2, 5)
    expect(historical.map((m) => Number(m.payload.timestamp))).toEqual(offline.slice(-3).map((s) => s.sample.ts))
    for (const m of historical) for (const metric of m.payload.metrics!) expect(metric.isHistorical).toBe(true)
    expect(seqs(historical)).toEqual([2, 3, 4])
    const live = after.slice(5)
    expect(live.length).toBeGreaterThan(0)
    for (const m of live) expect(m.payload.metrics!.every((x) => x.isHistorical === undefined)).toBe(true)
    // Historical values do not become the DBIRTH's last values: a rebirth now carries the live ones.
    rig.listeners.get('n1')!.onMessage('spBv1.0/plant-1/NCMD/n1', command('Node Control/Rebirth', true))
    expect(metricNamed(ofType('n1', 'DBIRTH').at(-1)!.payload, 'temperature').doubleValue).toBe(d.lastSample!.values.temperature)
  })

  it('sends NDEATH before a clean disconnect (fleet stop, clean disconnect fault): the device says it, not the broker', async () => {
    rig = createRig()
    const d = rig.add('n1', makeProfile(SPARKPLUG))
    d.start()
    rig.runTo(3_000)
    d.disconnectCleanly()
    await Promise.resolve()
    const deaths = ofType('n1', 'NDEATH')
    expect(deaths).toHaveLength(1)
    expect(bdSeqOf(deaths[0]!)).toBe(0n)
    rig.runTo(10_000)
    expect(d.currentStates.connectivity).toBe('online')
    await d.stop()
    rig.devices.delete('n1')
    expect(ofType('n1', 'NDEATH').map(bdSeqOf)).toEqual([0n, bdSeqOf(ofType('n1', 'NBIRTH')[1]!)])
  })

  it('seq wraps 255 → 0 in DDATA; the device keeps counting its own telemetry seq', () => {
    rig = createRig()
    const d = rig.add('n1', makeProfile({ ...SPARKPLUG, telemetry: { period: '100ms' } }))
    d.start()
    rig.runTo(2_000 + 300 * 100)
    const all = seqs(sparkplug('n1'))
    expect(all.length).toBeGreaterThan(290)
    expect(all.slice(0, 256)).toEqual(Array.from({ length: 256 }, (_, i) => i))
    expect(all.slice(256, 260)).toEqual([0, 1, 2, 3])
    expect(d.publishedSeq).toBe(all.length - 2)
  })

  it('commands from the library still work (replies in-process; Sparkplug has no reply topic)', () => {
    rig = createRig()
    const d = rig.add('n1', makeProfile(SPARKPLUG))
    d.start()
    rig.runTo(3_000)
    const replies: unknown[] = []
    d.command({ id: 'c1', name: 'ping', params: {} }, (r) => replies.push(r))
    d.command({ id: 'c2', name: 'reboot', params: {} }, (r) => replies.push(r))
    rig.runTo(8_000)
    expect(replies).toEqual([
      { id: 'c1', status: 'done', reason: `seq=1` },
      { id: 'c2', status: 'accepted' },
      { id: 'c2', status: 'done', reason: 'rebooted; running 1.0.0', version: '1.0.0' },
    ])
    expect(rig.sink.filter((r) => r.topic.includes('/reply'))).toEqual([])
  })

  it('the shipped devices/line-sensor.device.yaml: Sparkplug ids, its three metrics, FW property from the ota model', () => {
    const r = checkProfileFile('devices/line-sensor.device.yaml')
    expect(r.ok).toBe(true)
    if (!r.ok) return
    rig = createRig({ firmware: otaFirmware })
    rig.add('ls-001', r.profile, { group: 'line' }).start()
    rig.runTo(10_000)
    const [nbirth, dbirth, ...data] = sparkplug('ls-001')
    expect(nbirth!.topic).toBe('spBv1.0/plant-1/NBIRTH/ls-001')
    expect(dbirth!.topic).toBe('spBv1.0/plant-1/DBIRTH/ls-001/line')
    expect(metricNamed(dbirth!.payload, 'Properties/FW').stringValue).toBe('2.3.0')
    expect(data.length).toBeGreaterThanOrEqual(3)
    for (const m of data) expect(names(m.payload)).toEqual(['motor_temp', 'vibration', 'line_running'])
  })
})
