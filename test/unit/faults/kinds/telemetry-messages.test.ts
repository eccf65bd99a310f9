import { beforeAll, describe, expect, it } from 'vitest'
import { VirtualClock, deriveStream } from '../../../../src/core/index.js'
import type { OutboundMessage } from '../../../../src/device/index.js'
import { faultKinds, type FaultRecord } from '../../../../src/faults/index.js'
import { malform } from '../../../../src/faults/kinds/telemetry-messages/malformed.js'
import { encodeDrifted } from '../../../../src/faults/kinds/telemetry-messages/schema-drift.js'
import { Fleet, loadFleet } from '../../../../src/fleet/index.js'
import { encodeJson } from '../../../../src/telemetry/index.js'
import { isFleetError, type SpecProblem } from '../../../../src/core/errors.js'

const DIR = 'test/fixtures/faults-messages'
const EPOCH = Date.UTC(2026, 0, 1)
const RUN_MS = 10_000

/** One produced sample, as the `telemetry` event gives it, plus the telemetry publishes made while it was produced. */
interface SampleRow {
  deviceId: string
  seq: number
  /** True sample time. */
  ts: number
  tsDevice: number
  messageFaultIds: string[]
  /** Telemetry payloads that left the device in the same clock step as this sample (in order). */
  sentNow: Buffer[]
}

interface Publish {
  deviceId: string
  atMs: number
  payload: Buffer
}

interface Run {
  fleet: Fleet
  samples: SampleRow[]
  publishes: Publish[]
  /** `${deviceId}:${seq}` → the sample. */
  bySeq: Map<string, SampleRow>
  log: readonly FaultRecord[]
}

/**
 * Runs a fixture fleet in virtual time over the in-process transport (no sockets) and records every
 * sample and every telemetry payload that left a device. `withoutFaults` gives the clean reference.
 */
async function run(fixture: string, opts: { withoutFaults?: boolean; ms?: number } = {}): Promise<Run> {
  const clock = new VirtualClock({ epochMs: EPOCH })
  const resolved = loadFleet(`${DIR}/${fixture}.fleet.yaml`)
  const spec = opts.withoutFaults ? { ...resolved.spec, faults: [] } : resolved.spec
  const fleet = new Fleet({ ...resolved, spec }, { clock, transport: 'in-process', metricsPort: false })
  const samples: SampleRow[] = []
  const publishes: Publish[] = []
  const pending = new Map<string, Publish[]>()
  fleet.on('publish', (p: { clientId: string; topic: string; payload: Buffer | string }) => {
    if (!p.topic.endsWith('/telemetry')) return
    const publish = { deviceId: p.clientId, atMs: clock.now(), payload: Buffer.from(p.payload) }
    publishes.push(publish)
    ;(pending.get(p.clientId) ?? pending.set(p.clientId, []).get(p.clientId)!).push(publish)
  })
  fleet.on('telemetry', (t: { deviceId: string; seq: number; ts: number; tsDevice: number; messageFaultIds: string[] }) => {
    // Publishes of this device since its last sample belong to this one only if made in this clock step.
    const sentNow = (pending.get(t.deviceId) ?? []).filter((p) => p.atMs === clock.now()).map((p) => p.payload)
    samples.push({ deviceId: t.deviceId, seq: t.seq, ts: t.ts, tsDevice: t.tsDevice, messageFaultIds: t.messageFaultIds, sentNow })
    pending.delete(t.deviceId)
  })
  await fleet.start()
  clock.runUntil(EPOCH + (opts.ms ?? RUN_MS))
  await fleet.stop()
  return { fleet, samples, publishes, bySeq: new Map(samples.map((s) => [`${s.deviceId}:${s.seq}`, s])), log: fleet.faultLog }
}

const of = (rows: SampleRow[], id: string) => rows.filter((r) => r.deviceId === id && r.seq > 0)
/** Samples of a device that went out (the device was online), after it settled. */
const online = (r: Run, id: string) => of(r.samples, id).filter((s) => s.ts > EPOCH + 1_000)
const record = (r: Run, faultId: string) => {
  const recs = r.log.filter((l) => l.fault_id === faultId)
  expect(recs, faultId).toHaveLength(1)
  return recs[0]!
}
const inWindow = (rec: FaultRecord, ts: number) => ts >= rec.start_ms && ts < rec.end_ms
const isJson = (b: Buffer) => {
  try {
    JSON.parse(b.toString('utf8'))
    return true
  } catch {
    return false
  }
}
const parse = (b: Buffer) => JSON.parse(b.toString('utf8')) as Record<string, unknown>
const seqsOf = (r: Run, id: string) => r.publishes.filter((p) => p.deviceId === id).map((p) => parse(p.payload).seq as number)

/** Exact window and untruncated record for a fault that ran its full duration. */
function expectWindow(rec: FaultRecord, atMs: number, durationMs: number, deviceId: string) {
  expect(rec).toMatchObject({ device_id: deviceId, start_ms: EPOCH + atMs, end_ms: EPOCH + atMs + durationMs, truncated: false, source: 'plan' })
}

describe('telemetry.malformed', () => {
  let clean: Run, r: Run
  beforeAll(async () => {
    clean = await run('malformed', { withoutFaults: true })
    r = await run('malformed')
  })
  const cleanBytes = (s: SampleRow) => clean.bySeq.get(`${s.deviceId}:${s.seq}`)!.sentNow[0]!

  it('logs exact windows with the mode and rate filled in', () => {
    expectWindow(record(r, 'cut'), 2_000, 2_000, 'lab-01')
    expect(record(r, 'cut').params).toEqual({ duration: 2_000, mode: 'truncated', rate: 1 })
    expectWindow(record(r, 'noise'), 2_000, 2_000, 'lab-02')
    expectWindow(record(r, 'kv'), 2_000, 2_000, 'lab-03')
    expectWindow(record(r, 'some'), 2_000, 4_000, 'lab-04')
  })

  it.each([
    ['lab-01', 'cut'],
    ['lab-02', 'noise'],
    ['lab-03', 'kv'],
  ])('%s (%s): every message in the window is invalid JSON and labelled; outside it, byte-identical to the clean run', (id, faultId) => {
    const rec = record(r, faultId)
    const rows = online(r, id)
    let broken = 0
    for (const s of rows) {
      const good = cleanBytes(s)
      expect(s.sentNow, `${id} #${s.seq}`).toHaveLength(1)
      const sent = s.sentNow[0]!
      if (!inWindow(rec, s.ts)) {
        expect(sent.equals(good), `${id} #${s.seq}`).toBe(true)
        expect(s.messageFaultIds).toEqual([])
        continue
      }
      broken++
      expect(s.messageFaultIds).toEqual([faultId])
      expect(isJson(sent), `${id} #${s.seq}: ${sent.toString('latin1')}`).toBe(false)
      if (faultId === 'cut') {
        // A seeded cut point: a proper, non-empty prefix of the real payload.
        expect(sent.length).toBeGreaterThan(0)
        expect(sent.length).toBeLessThan(good.length)
        expect(good.subarray(0, sent.length).equals(sent)).toBe(true)
      } else if (faultId === 'noise') {
        expect(sent.length).toBe(good.length)
        expect(sent[0]).toBeGreaterThanOrEqual(0x80)
        expect(sent.equals(good)).toBe(false)
      } else {
        const fields = Object.entries(parse(good)).map(([k, v]) => `${k}=${String(v)}`)
        expect(sent.toString()).toBe(fields.join(';'))
        expect(sent.toString()).toMatch(/^ts=\d+;seq=\d+;temperature=-?[\d.]+;humidity=[\d.]+;battery=[\d.]+$/)
      }
    }
    // 2 s at a 200 ms period.
    expect(broken).toBeGreaterThanOrEqual(9)
    expect(broken).toBeLessThanOrEqual(11)
  })

  it('over many draws: every cut is a proper non-empty prefix and every garbage payload is invalid JSON', () => {
    const fields = { ts: 1_767_225_600_123, seq: 7, values: { temperature: 21.5, humidity: 40 }, battery: 97.1 }
    const msg = { topic: 't', qos: 1, fields, faultIds: [] } as unknown as OutboundMessage
    const good = encodeJson(fields)
    const rng = deriveStream(1, 'test', 'malformed')
    const cuts = new Set<number>()
    for (let i = 0; i < 5_000; i++) {
      const cut = malform('truncated', msg, rng)
      expect(good.subarray(0, cut.length).equals(cut) && cut.length >= 1 && cut.length < good.length).toBe(true)
      expect(isJson(cut)).toBe(false)
      cuts.add(cut.length)
      expect(isJson(malform('garbage', msg, rng))).toBe(false)
    }
    // Every cut point from 1 to length-1 occurs.
    expect(cuts.size).toBe(good.length - 1)
    expect(malform('not-json', msg, rng).toString()).toBe('ts=1767225600123;seq=7;temperature=21.5;humidity=40;battery=97.1')
  })

  it('truncation points are seeded, not constant', () => {
    const lengths = new Set(online(r, 'lab-01').filter((s) => s.messageFaultIds.length > 0).map((s) => s.sentNow[0]!.length))
    expect(lengths.size).toBeGreaterThan(3)
  })

  it('rate 0.5 breaks some messages and labels exactly those', () => {
    const rec = record(r, 'some')
    const rows = online(r, 'lab-04').filter((s) => inWindow(rec, s.ts))
    const hit = rows.filter((s) => !s.sentNow[0]!.equals(cleanBytes(s)))
    for (const s of rows) expect(s.messageFaultIds, `#${s.seq}`).toEqual(hit.includes(s) ? ['some'] : [])
    for (const s of hit) expect(isJson(s.sentNow[0]!)).toBe(false)
    expect(hit.length).toBeGreaterThan(3)
    expect(hit.length).toBeLessThan(rows.length - 3)
  })

  it('leaves untargeted devices byte-identical to the clean run', () => {
    for (const s of online(r, 'lab-05')) {
      expect(s.sentNow).toEqual([cleanBytes(s)])
      expect(s.messageFaultIds).toEqual([])
    }
  })

  it('is reproducible: the same seed gives the same broken bytes', async () => {
    const again = await run('malformed')
    expect(again.publishes).toEqual(r.publishes)
  })
})

describe('telemetry.schema-drift', () => {
  let clean: Run, r: Run
  beforeAll(async () => {
    clean = await run('schema-drift', { withoutFaults: true })
    r = await run('schema-drift')
  })
  const cleanJson = (s: SampleRow) => parse(clean.bySeq.get(`${s.deviceId}:${s.seq}`)!.sentNow[0]!)

  /** Checks every message of a device: inside the window `drift(clean)` (keys in order), outside the clean payload. */
  function expectDrift(id: string, faultId: string, drift: (o: Record<string, unknown>) => Record<string, unknown>) {
    const rec = record(r, faultId)
    let drifted = 0
    for (const s of online(r, id)) {
      const sent = parse(s.sentNow[0]!)
      const want = inWindow(rec, s.ts) ? drift(cleanJson(s)) : cleanJson(s)
      expect(Object.entries(sent), `${id} #${s.seq}`).toEqual(Object.entries(want))
      expect(s.messageFaultIds).toEqual(inWindow(rec, s.ts) ? [faultId] : [])
      if (inWindow(rec, s.ts)) drifted++
    }
    return drifted
  }

  it('rename: the field arrives under the new name, in the same place', () => {
    const n = expectDrift('lab-01', 'renamed', ({ temperature, ...o }) => ({ ts: o.ts, seq: o.seq, temp: temperature, humidity: o.humidity, battery: o.battery }))
    expect(n).toBeGreaterThanOrEqual(9)
    expectWindow(record(r, 'renamed'), 2_000, 2_000, 'lab-01')
  })

  it('missing without a duration: the field is gone until the run ends (record closed at stop, truncated)', () => {
    const n = expectDrift('lab-02', 'gone', ({ humidity: _h, ...o }) => o)
    expect(n).toBeGreaterThanOrEqual(35)
    const last = online(r, 'lab-02').at(-1)!
    expect(last.ts).toBeGreaterThan(EPOCH + RUN_MS - 300)
    expect('humidity' in parse(last.sentNow[0]!)).toBe(false)
    expect(record(r, 'gone')).toMatchObject({ start_ms: EPOCH + 2_000, end_ms: EPOCH + RUN_MS, truncated: true })
  })

  it('wrong-type: numbers arrive as strings ("21.5"), the rest unchanged', () => {
    expectDrift('lab-03', 'stringly', (o) => ({ ...o, temperature: String(o.temperature) }))
    const sample = online(r, 'lab-03').find((s) => s.messageFaultIds.length > 0)!
    expect(sample.sentNow[0]!.toString()).toMatch(/"temperature":"-?\d+(\.\d+)?"/)
    expectDrift('lab-05', 'seq-text', (o) => ({ ...o, seq: String(o.seq) }))
  })

  it('rename of ts: the timestamp arrives as "timestamp"', () => {
    expectDrift('lab-04', 'epoch', ({ ts, ...o }) => ({ timestamp: ts, ...o }))
  })

  it('leaves untargeted devices untouched', () => {
    for (const s of online(r, 'lab-06')) expect(s.sentNow).toEqual(clean.bySeq.get(`lab-06:${s.seq}`)!.sentNow)
  })

  it('changes only the drifted field of the JSON codec\'s bytes, and skips messages without the field', () => {
    const fields = { ts: 1_767_225_600_123, seq: 7, values: { temperature: 21.5, humidity: null, 'co2-ppm': 415, pm25: Number.NaN }, battery: 97.1, fw: 'v1,"seq":2' }
    const json = encodeJson(fields).toString()
    const drift = (d: Parameters<typeof encodeDrifted>[1]) => encodeDrifted(fields, d)?.toString()
    expect(drift({ mode: 'missing', field: 'pressure' })).toBeUndefined()
    expect(drift({ mode: 'wrong-type', field: 'humidity' })).toBeUndefined() // null is not a number
    expect(drift({ mode: 'wrong-type', field: 'pm25' })).toBeUndefined() // NaN neither, whatever the codec writes for it
    expect(drift({ mode: 'wrong-type', field: 'fw' })).toBeUndefined() // already a string
    expect(drift({ mode: 'rename', field: 'co2-ppm', to: 'co2' })).toBe(json.replace('"co2-ppm":', '"co2":'))
    expect(drift({ mode: 'rename', field: 'pm25', to: 'pm2_5' })).toBe(json.replace('"pm25":', '"pm2_5":'))
    expect(drift({ mode: 'missing', field: 'ts' })).toBe(json.replace('"ts":1767225600123,', ''))
    expect(drift({ mode: 'missing', field: 'humidity' })).toBe(json.replace(',"humidity":null', ''))
    expect(drift({ mode: 'missing', field: 'fw' })).toBe(json.replace(`,"fw":${JSON.stringify(fields.fw)}`, ''))
    expect(drift({ mode: 'wrong-type', field: 'battery' })).toBe(json.replace('97.1', '"97.1"'))
    // A string value that looks like a key is not mistaken for one.
    expect(drift({ mode: 'wrong-type', field: 'seq' })).toBe(json.replace('"seq":7', '"seq":"7"'))
    for (const d of [{ mode: 'missing', field: 'fw' }, { mode: 'missing', field: 'ts' }, { mode: 'rename', field: 'seq', to: 'n' }] as const) expect(() => JSON.parse(drift(d)!)).not.toThrow()
  })
})

describe('telemetry.clock-skew', () => {
  let clean: Run, r: Run
  beforeAll(async () => {
    clean = await run('clock-skew', { withoutFaults: true })
    r = await run('clock-skew')
  })

  function expectSkew(id: string, faultId: string, skew: (ts: number, rec: FaultRecord) => number) {
    const rec = record(r, faultId)
    let skewed = 0
    for (const s of online(r, id)) {
      const sent = parse(s.sentNow[0]!)
      const want = inWindow(rec, s.ts) ? skew(s.ts, rec) : 0
      // The true sample time is untouched (same as the clean run); only what the device reports moves.
      expect(s.ts).toBe(clean.bySeq.get(`${id}:${s.seq}`)!.ts)
      expect(sent.ts, `${id} #${s.seq}`).toBe(s.ts + want)
      expect(s.tsDevice).toBe(s.ts + want)
      expect(s.messageFaultIds).toEqual(want !== 0 ? [faultId] : [])
      if (want !== 0) skewed++
    }
    expectWindow(rec, 2_000, 4_000, id)
    return skewed
  }

  it('offset: every ts in the window is 2 h behind, exactly', () => {
    expect(expectSkew('lab-01', 'behind', () => -7_200_000)).toBeGreaterThanOrEqual(19)
  })

  it('drift: the error grows by driftPerHour × hours since the start (36 s/h = 10 ms/s)', () => {
    const n = expectSkew('lab-02', 'fast-rtc', (ts, rec) => Math.round((ts - rec.start_ms) / 100))
    expect(n).toBeGreaterThanOrEqual(18)
    const last = online(r, 'lab-02').filter((s) => s.messageFaultIds.length > 0).at(-1)!
    expect(last.tsDevice - last.ts).toBeGreaterThanOrEqual(38) // ~4 s into the window
  })

  it('jump: a 1 h step from the start, gone when the window ends', () => {
    expectSkew('lab-03', 'ntp-step', () => 3_600_000)
  })

  it('leaves untargeted devices untouched', () => {
    for (const s of online(r, 'lab-04')) expect(s.sentNow).toEqual(clean.bySeq.get(`lab-04:${s.seq}`)!.sentNow)
  })
})

describe('telemetry.duplicate', () => {
  let clean: Run, r: Run
  beforeAll(async () => {
    clean = await run('duplicate', { withoutFaults: true })
    r = await run('duplicate')
  })

  it('rate 1: every message in the window is sent exactly twice with identical bytes; others once', () => {
    const rec = record(r, 'twice')
    expectWindow(rec, 2_000, 2_000, 'lab-01')
    let twice = 0
    for (const s of online(r, 'lab-01')) {
      const good = clean.bySeq.get(`lab-01:${s.seq}`)!.sentNow
      expect(good).toHaveLength(1)
      if (inWindow(rec, s.ts)) {
        twice++
        expect(s.sentNow, `#${s.seq}`).toEqual([good[0], good[0]])
        expect(s.messageFaultIds).toEqual(['twice'])
      } else {
        expect(s.sentNow, `#${s.seq}`).toEqual(good)
        expect(s.messageFaultIds).toEqual([])
      }
    }
    expect(twice).toBeGreaterThanOrEqual(9)
    // Seen by a subscriber: every seq of the window twice in a row, no other seq repeated.
    const seqs = seqsOf(r, 'lab-01')
    const counts = new Map<number, number>()
    for (const q of seqs) counts.set(q, (counts.get(q) ?? 0) + 1)
    const doubled = online(r, 'lab-01').filter((s) => inWindow(rec, s.ts)).map((s) => s.seq)
    expect([...counts].filter(([, n]) => n === 2).map(([q]) => q)).toEqual(doubled)
    expect([...counts.values()].every((n) => n <= 2)).toBe(true)
  })

  it('rate 0.5: some messages twice, labelled exactly those', () => {
    const rec = record(r, 'some-twice')
    const rows = online(r, 'lab-02').filter((s) => inWindow(rec, s.ts))
    const doubled = rows.filter((s) => s.sentNow.length === 2)
    for (const s of rows) {
      expect(s.sentNow.length === 1 || s.sentNow.length === 2).toBe(true)
      expect(s.messageFaultIds).toEqual(s.sentNow.length === 2 ? ['some-twice'] : [])
    }
    expect(doubled.length).toBeGreaterThan(3)
    expect(doubled.length).toBeLessThan(rows.length - 3)
  })

  it('leaves untargeted devices untouched', () => {
    for (const s of online(r, 'lab-03')) expect(s.sentNow).toEqual(clean.bySeq.get(`lab-03:${s.seq}`)!.sentNow)
  })
})

describe('telemetry.out-of-order', () => {
  let r: Run
  beforeAll(async () => {
    r = await run('out-of-order')
  })

  /** The window's seqs in chunks of depth+1: the first of each chunk is sent after the rest. */
  function expected(seqs: number[], depth: number): number[] {
    const out: number[] = []
    for (let i = 0; i < seqs.length; i += depth + 1) {
      const chunk = seqs.slice(i, i + depth + 1)
      out.push(...chunk.slice(1), chunk[0]!)
    }
    return out
  }

  it.each([
    ['lab-01', 'swap', 1, [1, 0, 3, 2, 5, 4]],
    ['lab-02', 'swap2', 2, [1, 2, 0, 4, 5, 3]],
  ])('%s (%s, depth %i): the exact reorder pattern inside the window, in order outside', (id, faultId, depth, head) => {
    const rec = record(r, faultId)
    expectWindow(rec, 2_000, 2_000, id)
    const rows = online(r, id)
    const before = rows.filter((s) => s.ts < rec.start_ms).map((s) => s.seq)
    const during = rows.filter((s) => inWindow(rec, s.ts)).map((s) => s.seq)
    const after = rows.filter((s) => s.ts >= rec.end_ms).map((s) => s.seq)
    expect(during.length).toBeGreaterThanOrEqual(9)
    const sent = seqsOf(r, id).filter((q) => q >= before[0]!)
    expect(sent).toEqual([...before, ...expected(during, depth), ...after])
    expect(sent.slice(before.length, before.length + 6).map((q) => q - during[0]!)).toEqual(head)
    // Held messages (first of each chunk) are labelled; the ones that overtake them are not.
    for (const s of rows) expect(s.messageFaultIds, `#${s.seq}`).toEqual(inWindow(rec, s.ts) && (during.indexOf(s.seq) % (depth + 1)) === 0 ? [faultId] : [])
    // Nothing sent twice, nothing lost.
    expect([...sent].sort((a, b) => a - b)).toEqual([...before, ...during, ...after])
  })

  it('a message still held when the window ends is sent at the end', () => {
    const rec = record(r, 'swap2')
    const during = online(r, 'lab-02').filter((s) => inWindow(rec, s.ts))
    const tail = during.length % 3
    const lastHeld = during[during.length - tail]
    if (tail !== 0) {
      const p = r.publishes.find((x) => x.deviceId === 'lab-02' && parse(x.payload).seq === lastHeld!.seq)!
      expect(p.atMs).toBe(rec.end_ms)
    }
    // Every held message leaves exactly when the message that completes its chunk is produced, or at the end.
    for (const [i, s] of during.entries()) {
      if (i % 3 !== 0) continue
      const p = r.publishes.find((x) => x.deviceId === 'lab-02' && parse(x.payload).seq === s.seq)!
      expect(p.atMs).toBe(during[i + 2]?.ts ?? rec.end_ms)
    }
  })

  it('rate 0.5: held messages (labelled) arrive after a later seq; all others on time', () => {
    const rec = record(r, 'some-late')
    const labelled = new Set(online(r, 'lab-03').filter((s) => s.messageFaultIds.includes('some-late')).map((s) => s.seq))
    let max = -Infinity
    let backwards = 0
    for (const p of r.publishes.filter((x) => x.deviceId === 'lab-03')) {
      const q = parse(p.payload).seq as number
      // A message held when the window ends is sent then, overtaken by nothing.
      if (labelled.has(q) && p.atMs !== rec.end_ms) expect(q, `#${q} was held`).toBeLessThan(max)
      else if (!labelled.has(q)) expect(q, `#${q} on time`).toBeGreaterThan(max)
      if (q < max) backwards++
      max = Math.max(max, q)
    }
    expect(backwards).toBeGreaterThan(2)
    expect(backwards).toBeGreaterThanOrEqual(labelled.size - 1)
    for (const q of labelled) expect(inWindow(rec, r.bySeq.get(`lab-03:${q}`)!.ts)).toBe(true)
    // Some messages in the window were not held.
    expect(labelled.size).toBeLessThan(online(r, 'lab-03').filter((s) => inWindow(rec, s.ts)).length - 3)
  })

  it('leaves untargeted devices in order', () => {
    const sent = seqsOf(r, 'lab-04')
    expect(sent).toEqual([...sent].sort((a, b) => a - b))
    expect(online(r, 'lab-04').every((s) => s.messageFaultIds.length === 0)).toBe(true)
  })
})

describe('telemetry.delayed-burst', () => {
  let r: Run
  beforeAll(async () => {
    r = await run('delayed-burst')
  })

  it('nothing is published during the window; then all of its messages at once, in order, with their own ts', () => {
    const rec = record(r, 'burst')
    expectWindow(rec, 2_000, 2_000, 'lab-01')
    const mine = r.publishes.filter((p) => p.deviceId === 'lab-01')
    expect(mine.filter((p) => p.atMs > rec.start_ms && p.atMs < rec.end_ms)).toEqual([])
    const held = online(r, 'lab-01').filter((s) => inWindow(rec, s.ts))
    expect(held.length).toBeGreaterThanOrEqual(9)
    const burst = mine.filter((p) => p.atMs === rec.end_ms)
    expect(burst.map((p) => parse(p.payload).seq)).toEqual(held.map((s) => s.seq))
    expect(burst.map((p) => parse(p.payload).ts)).toEqual(held.map((s) => s.ts))
    for (const s of held) {
      expect(s.sentNow).toEqual([])
      expect(s.messageFaultIds).toEqual(['burst'])
    }
    // Before and after: sent as produced, unlabelled, in order overall.
    for (const s of online(r, 'lab-01').filter((x) => !inWindow(rec, x.ts))) {
      expect(s.sentNow).toHaveLength(1)
      expect(s.messageFaultIds).toEqual([])
    }
    const seqs = seqsOf(r, 'lab-01')
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b))
  })

  it('an untargeted device keeps publishing through the window', () => {
    const rec = record(r, 'burst')
    const during = r.publishes.filter((p) => p.deviceId === 'lab-02' && p.atMs > rec.start_ms && p.atMs < rec.end_ms)
    expect(during.length).toBeGreaterThanOrEqual(9)
  })
})

describe('message fault schemas', () => {
  const kinds = ['telemetry.malformed', 'telemetry.schema-drift', 'telemetry.clock-skew', 'telemetry.duplicate', 'telemetry.out-of-order', 'telemetry.delayed-burst']

  it.each(kinds)('%s is registered in the telemetry group with a valid example', (kind) => {
    const k = faultKinds[kind]!
    expect(k.group).toBe('telemetry')
    expect(k.summary.length).toBeGreaterThan(10)
    expect(k.entrySchema.safeParse(k.example).success).toBe(true)
    expect(k.entrySchema.safeParse({ ...k.example, surprise: 1 }).success).toBe(false)
  })

  it('clock offsets may be negative; durations are turned into ms at the edge', () => {
    const e = faultKinds['telemetry.clock-skew']!.entrySchema.parse({ kind: 'telemetry.clock-skew', duration: '1m', mode: 'offset', offset: '-1h30m' })
    expect(e).toMatchObject({ duration: 60_000, offset: -5_400_000 })
    const d = faultKinds['telemetry.clock-skew']!.entrySchema.parse({ kind: 'telemetry.clock-skew', duration: '1m', mode: 'drift', driftPerHour: '+250ms' })
    expect(d).toMatchObject({ driftPerHour: 250 })
  })

  it('schema drift may omit duration (until the run ends) but not give a zero one', () => {
    const s = faultKinds['telemetry.schema-drift']!.entrySchema
    expect(s.safeParse({ kind: 'telemetry.schema-drift', mode: 'missing', field: 'ts' }).success).toBe(true)
    expect(s.safeParse({ kind: 'telemetry.schema-drift', mode: 'missing', field: 'ts', duration: '0s' }).success).toBe(false)
  })

  it('a fleet file with bad parameters reports every problem with its line, field and fix', () => {
    const file = `${DIR}/invalid-params.fleet.yaml`
    let problems: readonly SpecProblem[] = []
    try {
      loadFleet(file)
    } catch (e) {
      expect(isFleetError(e) && e.code).toBe('FLEET_ERR_SPEC_INVALID')
      problems = isFleetError(e) ? e.problems : []
    }
    expect(problems.map((p) => `${p.line}:${p.column} ${p.path}: ${p.message}${p.hint ? ` — ${p.hint}` : ''}`)).toEqual([
      '7:54 faults[0].mode: must be one of "truncated", "garbage", "not-json"',
      '8:5 faults[1].to: mode rename needs "to", the new field name — e.g. to: temperature_c',
      '9:73 faults[2].to: "to" only applies to mode rename (mode is missing) — remove to, or use mode: rename',
      '10:5 faults[3].driftPerHour: mode drift needs "driftPerHour" — a signed duration, e.g. driftPerHour: 30s',
      '10:70 faults[3].offset: "offset" only applies to mode offset (mode is drift) — use driftPerHour with mode drift',
      '11:67 faults[4].jump: must not be 0 — a signed duration, e.g. -2h or 90s',
      '12:54 faults[5].rate: must be <= 1',
      '13:58 faults[6].depth: must be > 0',
      '14:5 faults[7].duration: required field is missing — add this field',
      '15:48 faults[8].probabilty: unknown field "probabilty" — did you mean "probability"?',
    ])
  })

  it('rejects a clock offset that is not a duration', () => {
    const r = faultKinds['telemetry.clock-skew']!.entrySchema.safeParse({ kind: 'telemetry.clock-skew', duration: '1m', mode: 'jump', jump: 'soon' })
    expect(r.success).toBe(false)
    expect(r.error!.issues.map((i) => [i.path.join('.'), i.message])).toEqual([['jump', 'not a duration: "soon"']])
  })
})
