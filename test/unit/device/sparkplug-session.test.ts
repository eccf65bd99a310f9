import { describe, expect, it } from 'vitest'
import { SparkplugSession, type SparkplugMessage, type SparkplugSessionOptions } from '../../../src/device/sparkplug-session.js'
import { decodeOfficial, DT, encodeOfficial, int64, metricNamed, type OfficialPayloadObject } from '../../fixtures/sparkplug/official-decoder.js'
import { expectFleetError } from '../../helpers/expect-fleet-error.js'

const T0 = 1767225600000

const OPTIONS: SparkplugSessionOptions = {
  groupId: 'plant-1',
  edgeNodeId: 'th-0001',
  deviceId: 'sensors',
  metrics: { temperature: 'Double', humidity: 'Double', battery: 'Double' },
  properties: { 'Properties/FW': '1.0.0' },
}

const session = (opts: Partial<SparkplugSessionOptions> = {}) => new SparkplugSession({ ...OPTIONS, ...opts })

/** Decoded with the official schema, never with our codec. */
const read = (m: SparkplugMessage): OfficialPayloadObject => decodeOfficial(m.payload)
const bdSeqOf = (m: SparkplugMessage) => int64(metricNamed(read(m), 'bdSeq').longValue)
const seqOf = (m: SparkplugMessage) => Number(read(m).seq)

/** A command as a host application encodes it (official schema): one Boolean metric set to `value`. */
const command = (name: string, value: unknown = true, datatype: number = DT.Boolean) =>
  encodeOfficial({ timestamp: T0, metrics: [{ name, timestamp: T0, datatype, ...(typeof value === 'boolean' ? { booleanValue: value } : { stringValue: String(value) }) }] })

/** A session connected and born at T0. */
function online(opts: Partial<SparkplugSessionOptions> = {}) {
  const s = session(opts)
  const will = s.connect(T0)
  const births = s.birth(T0)
  return { s, will, births }
}

const expectBadArgument = (fn: () => unknown, message: RegExp) => expectFleetError(fn, 'FLEET_ERR_CORE_BAD_ARGUMENT', message)

describe('SparkplugSession topics', () => {
  it('follows spBv1.0/{group}/{type}/{node}[/{device}]', () => {
    expect(session().topics).toEqual({
      nbirth: 'spBv1.0/plant-1/NBIRTH/th-0001',
      ndeath: 'spBv1.0/plant-1/NDEATH/th-0001',
      ncmd: 'spBv1.0/plant-1/NCMD/th-0001',
      dbirth: 'spBv1.0/plant-1/DBIRTH/th-0001/sensors',
      ddata: 'spBv1.0/plant-1/DDATA/th-0001/sensors',
      ddeath: 'spBv1.0/plant-1/DDEATH/th-0001/sensors',
      dcmd: 'spBv1.0/plant-1/DCMD/th-0001/sensors',
    })
    expect(session().commandTopics).toEqual(['spBv1.0/plant-1/NCMD/th-0001', 'spBv1.0/plant-1/DCMD/th-0001/sensors'])
  })

  it('refuses ids that are not a single topic level', () => {
    for (const bad of [{ groupId: 'a/b' }, { edgeNodeId: 'n+1' }, { deviceId: '#' }, { groupId: '' }]) {
      expectBadArgument(() => session(bad), /is not a valid topic level/)
    }
    expectBadArgument(() => session({ firstBdSeq: 256 }), /firstBdSeq must be 0\.\.255/)
  })
})

describe('the NDEATH will and the births of one connection', () => {
  it('connect() gives the will: NDEATH, QoS 1, not retained, one bdSeq metric (Int64), no seq', () => {
    const s = session()
    const will = s.connect(T0)
    expect(will).toMatchObject({ type: 'NDEATH', topic: 'spBv1.0/plant-1/NDEATH/th-0001', qos: 1, retain: false, bdSeq: 0 })
    expect(will.seq).toBeUndefined()
    const p = read(will)
    expect(Object.keys(p)).not.toContain('seq')
    expect(p.metrics).toEqual([{ name: 'bdSeq', timestamp: String(T0), datatype: DT.Int64, longValue: '0' }])
    expect(s.online).toBe(false)
  })

  it('birth() gives NBIRTH (seq 0, the will’s bdSeq, Node Control metrics) then DBIRTH (seq 1, every metric)', () => {
    const { s, will, births } = online()
    expect(births.map((m) => [m.type, m.topic, m.qos, m.retain])).toEqual([
      ['NBIRTH', 'spBv1.0/plant-1/NBIRTH/th-0001', 0, false],
      ['DBIRTH', 'spBv1.0/plant-1/DBIRTH/th-0001/sensors', 0, false],
    ])
    const [nbirth, dbirth] = births.map(read) as [OfficialPayloadObject, OfficialPayloadObject]
    expect(nbirth.seq).toBe('0')
    expect(nbirth.timestamp).toBe(String(T0))
    expect(bdSeqOf(births[0]!)).toBe(bdSeqOf(will))
    expect(metricNamed(nbirth, 'bdSeq').datatype).toBe(DT.Int64)
    expect(metricNamed(nbirth, 'Node Control/Rebirth')).toEqual({ name: 'Node Control/Rebirth', timestamp: String(T0), datatype: DT.Boolean, booleanValue: false })
    expect(metricNamed(nbirth, 'Node Control/Reboot').booleanValue).toBe(false)

    expect(dbirth.seq).toBe('1')
    // Before the first sample, readings are declared with is_null: name and datatype are what a host needs.
    expect(dbirth.metrics!.map((m) => [m.name, m.datatype, m.isNull ?? false])).toEqual([
      ['temperature', DT.Double, true],
      ['humidity', DT.Double, true],
      ['battery', DT.Double, true],
      ['Device Control/Rebirth', DT.Boolean, false],
      ['Properties/FW', DT.String, false],
    ])
    expect(metricNamed(dbirth, 'Properties/FW').stringValue).toBe('1.0.0')
    expect(s.online).toBe(true)
    expect(s.seq).toBe(1)
  })

  it('DDATA carries the sample: seq counting on from the births, values as Double, the sample time on payload and metrics', () => {
    const { s } = online()
    const m = s.data({ ts: T0 + 1000, values: { temperature: 21.5, humidity: null } })
    expect(m).toMatchObject({ type: 'DDATA', topic: 'spBv1.0/plant-1/DDATA/th-0001/sensors', qos: 0, retain: false, seq: 2, bdSeq: 0 })
    const p = read(m)
    expect(p.seq).toBe('2')
    expect(p.timestamp).toBe(String(T0 + 1000))
    expect(p.metrics).toEqual([
      { name: 'temperature', timestamp: String(T0 + 1000), datatype: DT.Double, doubleValue: 21.5 },
      { name: 'humidity', timestamp: String(T0 + 1000), datatype: DT.Double, isNull: true },
    ])
  })

  it('a metric the birth did not declare is still sent, typed from its value (a host should ask for a rebirth)', () => {
    const { s } = online()
    const p = read(s.data({ ts: T0, values: { extra: true, label: 'x', count: 5n } }))
    expect(p.metrics!.map((m) => m.datatype)).toEqual([DT.Boolean, DT.String, DT.Int64])
  })

  it('historical (store-and-forward) DDATA flags every metric and does not become the current value', () => {
    const { s } = online()
    s.data({ ts: T0 + 1, values: { temperature: 20 } })
    const late = read(s.data({ ts: T0 - 5000, values: { temperature: 15 } }, { historical: true }))
    expect(late.metrics!.every((m) => m.isHistorical === true)).toBe(true)
    const dbirth = read(s.birth(T0 + 2)[1]!)
    expect(metricNamed(dbirth, 'temperature').doubleValue).toBe(20)
  })

  it('is deterministic: two sessions fed the same inputs publish the same bytes', () => {
    const run = () => {
      const { s, will, births } = online()
      return [will, ...births, s.data({ ts: T0 + 1, values: { temperature: 1, humidity: 2 } })].map((m) => m.payload.toString('hex'))
    }
    expect(run()).toEqual(run())
  })
})

describe('seq', () => {
  it('increments per message and wraps 255 → 0 after 256 messages', () => {
    const { s, births } = online()
    const seqs = births.map(seqOf)
    for (let i = 0; i < 256; i++) seqs.push(seqOf(s.data({ ts: T0 + i, values: { temperature: i } })))
    expect(seqs.slice(0, 256)).toEqual(Array.from({ length: 256 }, (_, i) => i))
    expect(seqs.slice(256)).toEqual([0, 1])
    expect(Math.max(...seqs)).toBe(255)
  })

  it('NBIRTH resets it to 0 — on a new connection and on a rebirth', () => {
    const { s } = online()
    for (let i = 0; i < 300; i++) s.data({ ts: T0 + i, values: { temperature: i } })
    expect(s.seq).toBe((1 + 300) % 256)
    s.connect(T0 + 400)
    expect(s.birth(T0 + 400).map(seqOf)).toEqual([0, 1])
    s.data({ ts: T0 + 401, values: { temperature: 1 } })
    expect(s.birth(T0 + 402).map(seqOf)).toEqual([0, 1])
  })

  it('DDEATH takes the next seq, and DDATA needs a DBIRTH after it', () => {
    const { s } = online()
    const ddeath = s.deviceDeath(T0 + 1)
    expect(ddeath).toMatchObject({ type: 'DDEATH', topic: 'spBv1.0/plant-1/DDEATH/th-0001/sensors', qos: 0, seq: 2 })
    expect(read(ddeath)).toEqual({ timestamp: String(T0 + 1), seq: '2' })
    expectBadArgument(() => s.data({ ts: T0 + 2, values: { temperature: 1 } }), /after DDEATH/)
    expect(seqOf(s.deviceBirth(T0 + 3))).toBe(3)
    expect(s.data({ ts: T0 + 4, values: { temperature: 1 } }).seq).toBe(4)
  })

  it('nothing but connect() may come before a connection, and DDATA needs the births', () => {
    const s = session()
    expectBadArgument(() => s.birth(T0), /before connect\(\)/)
    expectBadArgument(() => s.nodeDeath(T0), /before connect\(\)/)
    s.connect(T0)
    expectBadArgument(() => s.data({ ts: T0, values: { temperature: 1 } }), /not online: publish birth\(\) first/)
    expectBadArgument(() => s.deviceBirth(T0), /not online/)
    s.birth(T0)
    s.connectionLost()
    expect(s.online).toBe(false)
    expectBadArgument(() => s.data({ ts: T0, values: { temperature: 1 } }), /not online/)
  })
})

describe('bdSeq', () => {
  it('starts at 0 and goes up by one per CONNECT; each NBIRTH matches the will of its own connection', () => {
    const s = session()
    for (let n = 0; n < 5; n++) {
      const will = s.connect(T0 + n)
      const [nbirth] = s.birth(T0 + n)
      expect(bdSeqOf(will)).toBe(BigInt(n))
      expect(bdSeqOf(nbirth!)).toBe(BigInt(n))
      expect(nbirth!.bdSeq).toBe(n)
      s.connectionLost()
    }
  })

  it('counts failed attempts too (every CONNECT packet), and wraps 255 → 0', () => {
    const s = session({ firstBdSeq: 250 })
    const taken = Array.from({ length: 8 }, (_, i) => s.connect(T0 + i).bdSeq)
    expect(taken).toEqual([250, 251, 252, 253, 254, 255, 0, 1])
  })

  it('the NDEATH before a clean disconnect carries the same bdSeq as the will, and no seq', () => {
    const { s, will } = online({ firstBdSeq: 41 })
    s.data({ ts: T0 + 1, values: { temperature: 1 } })
    const ndeath = s.nodeDeath(T0 + 2)
    expect(ndeath).toMatchObject({ type: 'NDEATH', topic: will.topic, qos: 1, retain: false, bdSeq: 41 })
    expect(bdSeqOf(ndeath)).toBe(41n)
    expect(Object.keys(read(ndeath))).not.toContain('seq')
    expect(s.online).toBe(false)
  })
})

describe('commands from a host (NCMD/DCMD, encoded with the official schema)', () => {
  it('Node Control/Rebirth = true republishes NBIRTH (seq 0, same bdSeq) and DBIRTH with the current values', () => {
    const { s, will } = online({ firstBdSeq: 7 })
    s.data({ ts: T0 + 1, values: { temperature: 21.5, humidity: 40, battery: 99 } })
    s.data({ ts: T0 + 2, values: { temperature: 22 } })
    const r = s.handleCommand(s.topics.ncmd, command('Node Control/Rebirth'), T0 + 3)
    expect(r).toMatchObject({ target: 'node', reboot: false, writes: [], problems: [] })
    expect(r.publish.map((m) => [m.type, seqOf(m)])).toEqual([
      ['NBIRTH', 0],
      ['DBIRTH', 1],
    ])
    expect(bdSeqOf(r.publish[0]!)).toBe(bdSeqOf(will))
    const dbirth = read(r.publish[1]!)
    expect(metricNamed(dbirth, 'temperature')).toMatchObject({ doubleValue: 22, timestamp: String(T0 + 2) })
    expect(metricNamed(dbirth, 'humidity')).toMatchObject({ doubleValue: 40, timestamp: String(T0 + 1) })
    expect(metricNamed(dbirth, 'battery').doubleValue).toBe(99)
    expect(s.data({ ts: T0 + 4, values: { temperature: 1 } }).seq).toBe(2)
  })

  it('Device Control/Rebirth = true republishes the DBIRTH only, seq counting on', () => {
    const { s } = online()
    const r = s.handleCommand(s.topics.dcmd, command('Device Control/Rebirth'), T0 + 1)
    expect(r.target).toBe('device')
    expect(r.publish.map((m) => [m.type, seqOf(m)])).toEqual([['DBIRTH', 2]])
  })

  it('Node Control/Reboot = true asks for a reboot; writes to declared metrics are handed to the device', () => {
    const { s } = online()
    expect(s.handleCommand(s.topics.ncmd, command('Node Control/Reboot'), T0)).toMatchObject({ reboot: true, publish: [], problems: [] })
    const w = s.handleCommand(s.topics.dcmd, encodeOfficial({ timestamp: T0, metrics: [{ name: 'temperature', datatype: DT.Double, doubleValue: 5 }] }), T0)
    expect(w.writes).toMatchObject([{ name: 'temperature', datatypeName: 'Double', value: 5 }])
  })

  it('bad commands are problems, never exceptions, and publish nothing', () => {
    const { s } = online()
    const cases: [string, Uint8Array, RegExp][] = [
      [s.topics.ncmd, command('Node Control/Rebirth', false), /Rebirth must be Boolean true, got Boolean false/],
      [s.topics.ncmd, command('Node Control/Rebirth', 'yes', DT.String), /Rebirth must be Boolean true, got String "yes"/],
      [s.topics.ncmd, command('Node Control/Reboot', false), /Reboot must be Boolean true/],
      [s.topics.ncmd, command('Node Control/Scan Rate', 'x', DT.String), /unknown node metric "Node Control\/Scan Rate" in NCMD/],
      [s.topics.dcmd, command('pressure'), /unknown device metric "pressure" in DCMD/],
      [s.topics.dcmd, command('Node Control/Rebirth'), /unknown device metric/],
      [s.topics.ncmd, Buffer.from('{"rebirth":true}'), /^not a Sparkplug B payload/],
      ['spBv1.0/plant-1/NCMD/other-node', command('Node Control/Rebirth'), /is not a command topic of th-0001/],
    ]
    for (const [topic, payload, problem] of cases) {
      const r = s.handleCommand(topic, payload, T0)
      expect(r.publish, problem.source).toEqual([])
      expect(r.reboot).toBe(false)
      expect(r.problems, problem.source).toEqual([expect.stringMatching(problem)])
    }
    expect(s.handleCommand('spBv1.0/plant-1/NCMD/other-node', command('Node Control/Rebirth'), T0).target).toBe('none')
    // The session is unharmed: seq continues from the births.
    expect(s.data({ ts: T0, values: { temperature: 1 } }).seq).toBe(2)
  })

  it('a rebirth request before any connection is a problem', () => {
    const s = session()
    expect(s.handleCommand(s.topics.ncmd, command('Node Control/Rebirth'), T0).problems).toEqual(['Node Control/Rebirth before any connection'])
  })

  it('setProperty shows in the next (re)birth', () => {
    const { s } = online()
    s.setProperty('Properties/FW', '2.0.0')
    const r = s.handleCommand(s.topics.ncmd, command('Node Control/Rebirth'), T0 + 1)
    expect(metricNamed(read(r.publish[1]!), 'Properties/FW').stringValue).toBe('2.0.0')
  })
})
