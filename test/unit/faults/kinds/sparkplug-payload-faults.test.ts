import { beforeAll, describe, expect, it } from 'vitest'
import { VirtualClock, deriveStream } from '../../../../src/core/index.js'
import type { OutboundMessage } from '../../../../src/device/index.js'
import type { FaultRecord } from '../../../../src/faults/index.js'
import { malformSparkplug } from '../../../../src/faults/kinds/telemetry-messages/malformed.js'
import { Fleet, loadFleet } from '../../../../src/fleet/index.js'
import { decodeSparkplug, encodeSparkplug } from '../../../../src/telemetry/codecs/sparkplug.js'
import { decodeOfficial, DT, metricNamed, type OfficialPayloadObject } from '../../../fixtures/sparkplug/official-decoder.js'

/**
 * Payload faults on Sparkplug devices (test/fixtures/faults-messages/sparkplug.fleet.yaml), in virtual
 * time over the in-process transport with the delivery probe on: the DDATA bytes are checked with the
 * official sparkplug_b.proto, and the probe must account for every message without false loss.
 */
const EPOCH = Date.UTC(2026, 0, 1)

interface Row {
  deviceId: string
  seq: number
  ts: number
  messageFaultIds: string[]
  /** DDATA payloads the device published in the clock step of this sample. */
  sentNow: Buffer[]
}

interface Run {
  fleet: Fleet
  rows: Row[]
  ddata: { deviceId: string; payload: Buffer }[]
  log: readonly FaultRecord[]
}

async function run(opts: { withoutFaults?: boolean } = {}): Promise<Run> {
  const clock = new VirtualClock({ epochMs: EPOCH })
  const resolved = loadFleet('test/fixtures/faults-messages/sparkplug.fleet.yaml')
  const spec = opts.withoutFaults ? { ...resolved.spec, faults: [] } : resolved.spec
  const fleet = new Fleet({ ...resolved, spec }, { clock, transport: 'in-process', metricsPort: false, measure: true })
  const rows: Row[] = []
  const ddata: Run['ddata'] = []
  const pending = new Map<string, { atMs: number; payload: Buffer }[]>()
  fleet.on('publish', (p: { clientId: string; topic: string; payload: Buffer }) => {
    if (p.topic.split('/')[2] !== 'DDATA') return
    ddata.push({ deviceId: p.clientId, payload: Buffer.from(p.payload) })
    ;(pending.get(p.clientId) ?? pending.set(p.clientId, []).get(p.clientId)!).push({ atMs: clock.now(), payload: Buffer.from(p.payload) })
  })
  fleet.on('telemetry', (t: { deviceId: string; seq: number; ts: number; messageFaultIds: string[] }) => {
    const sentNow = (pending.get(t.deviceId) ?? []).filter((p) => p.atMs === clock.now()).map((p) => p.payload)
    rows.push({ deviceId: t.deviceId, seq: t.seq, ts: t.ts, messageFaultIds: t.messageFaultIds, sentNow })
    pending.delete(t.deviceId)
  })
  await fleet.start()
  clock.runUntil(EPOCH + 8_000)
  await fleet.stop()
  return { fleet, rows, ddata, log: fleet.faultLog }
}

const decodes = (b: Buffer) => {
  try {
    decodeOfficial(b)
    return true
  } catch {
    return false
  }
}
const names = (p: OfficialPayloadObject) => p.metrics!.map((m) => m.name)

describe('payload faults on Sparkplug devices', () => {
  let r: Run
  let clean: Run
  beforeAll(async () => {
    clean = await run({ withoutFaults: true })
    r = await run()
  })
  const window = (faultId: string) => {
    const recs = r.log.filter((l) => l.fault_id === faultId)
    expect(recs).toHaveLength(1)
    return recs[0]!
  }
  const inWindow = (rec: FaultRecord, ts: number) => ts >= rec.start_ms && ts < rec.end_ms
  /** Samples of a device that went out live, after it settled. */
  const live = (run: Run, id: string) => run.rows.filter((s) => s.deviceId === id && s.ts > EPOCH + 1_000 && s.sentNow.length > 0)

  it.each([
    ['lab-01', 'cut'],
    ['lab-02', 'noise'],
    ['lab-03', 'kv'],
  ])('telemetry.malformed on %s (%s): DDATA in the window do not decode with the official schema; the others do', (id, faultId) => {
    const rec = window(faultId)
    let broken = 0
    for (const s of live(r, id)) {
      const sent = s.sentNow[0]!
      if (!inWindow(rec, s.ts)) {
        expect(decodes(sent), `${id} #${s.seq}`).toBe(true)
        expect(s.messageFaultIds).toEqual([])
        continue
      }
      broken++
      expect(s.messageFaultIds).toEqual([faultId])
      expect(decodes(sent), `${id} #${s.seq}: ${sent.toString('hex')}`).toBe(false)
      expect(decodeSparkplug(sent).ok).toBe(false)
      if (faultId === 'kv') expect(sent.toString()).toMatch(/^ts=\d+;seq=\d+;temperature=-?[\d.]+;humidity=[\d.]+;battery=[\d.]+$/)
    }
    expect(broken).toBeGreaterThanOrEqual(9)
    expect(broken).toBeLessThanOrEqual(11)
  })

  it('malformSparkplug: over many draws no truncated or garbage DDATA decodes, and cuts are prefixes', () => {
    const good = encodeSparkplug({
      timestamp: EPOCH,
      seq: 17,
      metrics: [
        { name: 'temperature', datatype: 'Double', value: 21.5, timestamp: EPOCH },
        { name: 'humidity', datatype: 'Double', value: null, timestamp: EPOCH },
        { name: 'battery', datatype: 'Double', value: 97.1, timestamp: EPOCH },
      ],
    })
    const msg = { fields: { ts: EPOCH, seq: 3, values: { temperature: 21.5, humidity: null }, battery: 97.1 } } as unknown as OutboundMessage
    const rng = deriveStream(1, 'test', 'malformed')
    const cuts = new Set<number>()
    for (let i = 0; i < 3_000; i++) {
      const cut = malformSparkplug('truncated', good, msg, rng)
      expect(cut.length).toBeGreaterThanOrEqual(1)
      expect(good.subarray(0, cut.length).equals(cut)).toBe(true)
      expect(decodes(cut)).toBe(false)
      cuts.add(cut.length)
      const noise = malformSparkplug('garbage', good, msg, rng)
      expect(noise.length).toBe(good.length)
      expect(decodes(noise)).toBe(false)
    }
    expect(cuts.size).toBeGreaterThan(good.length / 2)
    expect(decodes(malformSparkplug('not-json', good, msg, rng))).toBe(false)
  })

  it('telemetry.schema-drift: a renamed metric, a number sent as a String metric, a missing metric — only in the window', () => {
    const cases = [
      { id: 'lab-04', faultId: 'renamed', check: (p: OfficialPayloadObject) => expect(names(p)).toEqual(['temp', 'humidity', 'battery']) },
      {
        id: 'lab-05',
        faultId: 'stringly',
        check: (p: OfficialPayloadObject) => {
          const h = metricNamed(p, 'humidity')
          expect(h.datatype).toBe(DT.String)
          expect(h.stringValue).toMatch(/^\d+(\.\d)?$/)
          expect(h.doubleValue).toBeUndefined()
        },
      },
      { id: 'lab-06', faultId: 'no-battery', check: (p: OfficialPayloadObject) => expect(names(p)).toEqual(['temperature', 'humidity']) },
    ]
    for (const { id, faultId, check } of cases) {
      const rec = window(faultId)
      let drifted = 0
      for (const s of live(r, id)) {
        const p = decodeOfficial(s.sentNow[0]!)
        if (inWindow(rec, s.ts)) {
          drifted++
          expect(s.messageFaultIds).toEqual([faultId])
          check(p)
        } else {
          expect(names(p)).toEqual(['temperature', 'humidity', 'battery'])
          expect(metricNamed(p, 'humidity').datatype).toBe(DT.Double)
        }
      }
      expect(drifted, id).toBeGreaterThanOrEqual(9)
    }
  })

  it('schema-drift of ts (not a metric in Sparkplug): messages unchanged and not labelled, byte for byte as without faults', () => {
    const mine = live(r, 'lab-07')
    expect(mine.length).toBeGreaterThan(20)
    const cleanBySeq = new Map(live(clean, 'lab-07').map((s) => [s.seq, s.sentNow[0]!]))
    for (const s of mine) {
      expect(s.messageFaultIds).toEqual([])
      expect(s.sentNow[0]!.equals(cleanBySeq.get(s.seq)!)).toBe(true)
    }
  })

  it('duplicates go out as two DDATA with consecutive seqs and the same timestamp and values', () => {
    const rec = window('twice')
    const sent = r.ddata.filter((d) => d.deviceId === 'lab-08').map((d) => decodeOfficial(d.payload))
    const inside = sent.filter((p) => inWindow(rec, Number(p.timestamp)))
    expect(inside.length % 2).toBe(0)
    for (let i = 0; i < inside.length; i += 2) {
      expect(inside[i + 1]!.timestamp).toBe(inside[i]!.timestamp)
      expect(inside[i + 1]!.metrics).toEqual(inside[i]!.metrics)
      expect((Number(inside[i]!.seq) + 1) % 256).toBe(Number(inside[i + 1]!.seq))
    }
  })

  it('the delivery probe reads Sparkplug DDATA: no false loss; malformed ones are the only loss, all explained; duplicates and reordering are seen and explained', () => {
    const c = r.fleet.measurements!.probe.counts
    const broken = r.rows.filter((s) => ['lab-01', 'lab-02', 'lab-03'].includes(s.deviceId) && s.messageFaultIds.length > 0).length
    const twice = r.rows.filter((s) => s.deviceId === 'lab-08' && s.messageFaultIds.length > 0).length
    expect(broken).toBeGreaterThan(25)
    expect(c.undecodable).toBe(broken)
    expect(c.lost).toBe(broken)
    expect(c.unexplainedLost).toBe(0)
    expect(c.published).toBe(r.ddata.length)
    expect(c.delivered).toBe(c.published - broken - twice)
    expect(c.duplicates).toBe(twice)
    expect(c.unexplainedDuplicates).toBe(0)
    expect(c.reordered).toBeGreaterThan(0)
    expect(c.unexplainedReordered).toBe(0)
    // Without faults: everything published is delivered, once, in order.
    const cc = clean.fleet.measurements!.probe.counts
    expect(cc).toMatchObject({ lost: 0, undecodable: 0, duplicates: 0, reordered: 0 })
    expect(cc.delivered).toBe(clean.ddata.length)
    expect(cc.delivered).toBeGreaterThan(300)
  })
})
