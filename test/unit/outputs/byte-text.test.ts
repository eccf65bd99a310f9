import { readFileSync } from 'node:fs'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import seedrandom from 'seedrandom'
import { describe, expect, it } from 'vitest'
import { ByteText } from '../../../src/outputs/dataset/byte-text.js'
import { createCsvWriter, csvLine } from '../../../src/outputs/dataset/text-writers.js'
import type { SampleRows, TelemetryRow } from '../../../src/outputs/dataset/row.js'

const written = (fill: (t: ByteText) => void) => {
  const t = new ByteText(1 << 16)
  fill(t)
  return t.buf.toString('utf8', 0, t.length)
}

describe('ByteText: bytes that read as the string forms', () => {
  it('numbers as String(v): readings at every precision, magnitudes, signs and the cases that fall back', () => {
    const rng = seedrandom.alea('byte-text')
    const values: number[] = [0, -0, 1, -1, 0.1, 0.2, 0.3, 0.1 + 0.2, 1e-6, 1e-7, -1e-7, 123456789.5, 999999999, 1e9, 1e21, 2 ** 53, NaN, Infinity, -Infinity, 5e-324, 21.37, 99.95, 100, 0.05]
    for (let i = 0; i < 20_000; i++) {
      const precision = Math.floor(rng() * 8)
      const magnitude = 10 ** Math.floor(rng() * 12 - 3)
      const scale = 10 ** precision
      values.push(Math.round((rng() - 0.5) * magnitude * scale) / scale, (rng() - 0.5) * magnitude, Math.round(rng() * 1000) / 10)
    }
    for (const v of values) expect(written((t) => t.number(v)), String(v)).toBe(String(v))
    // One after another in one slot: each number's decimals are tried from the last one's.
    const t = new ByteText(1 << 22)
    for (const v of values) {
      t.number(v, 1)
      t.char(10)
    }
    expect(t.buf.toString('utf8', 0, t.length).split('\n').slice(0, -1)).toEqual(values.map(String))
  })

  it('timestamps as toISOString, across seconds, days and years', () => {
    const rng = seedrandom.alea('iso')
    let ms = Date.UTC(1999, 11, 31, 23, 59, 58, 990)
    const t = new ByteText(1 << 20)
    const expected: string[] = []
    for (let i = 0; i < 5_000; i++) {
      ms += Math.floor(rng() * (i % 100 === 0 ? 90_000_000 : 1500))
      t.iso(ms)
      t.char(10)
      expected.push(new Date(ms).toISOString())
    }
    expect(t.buf.toString('utf8', 0, t.length).split('\n').slice(0, -1)).toEqual(expected)
  })

  it('recurring strings escaped once, literals as they are, UTF-8', () => {
    const quoted = (s: string) => `"${s}"`
    const out = (() => {
      const t = new ByteText(1024, quoted)
      for (const s of ['dev-1', 'température', 'dev-1', 'a-much-longer-string-than-a-short-run-copy']) t.recurring(s)
      for (const s of ['a', 'b', 'b', 'a']) t.recurring(s, 0)
      t.literal(',x,', 0)
      t.literal('y', 0)
      return t.buf.toString('utf8', 0, t.length)
    })()
    expect(out).toBe('"dev-1""température""dev-1""a-much-longer-string-than-a-short-run-copy""a""b""b""a",x,y')
  })
})

describe('the CSV writer', () => {
  it('writes a sample as the CSV lines of its rows, quoting what needs it, in order', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fleet-emu-csv-'))
    const file = join(dir, 'part.csv')
    const w = createCsvWriter(file)
    const rows: TelemetryRow[] = []
    const rng = seedrandom.alea('csv')
    const sample: SampleRows = { ts: 0, ts_device: 0, device_id: '', profile: '', seq: 0, connectivity: '', battery: null, firmware_version: '', count: 0, sensors: [], values: [], clean: [], anomalyIds: [] }
    const ids = ['', 'spike-1', 'drift-2;spike-1', 'odd,"id"']
    for (let i = 0; i < 3000; i++) {
      sample.ts = Date.UTC(2026, 2, 2) + i * 997
      sample.ts_device = i % 7 === 0 ? sample.ts + 30_000 : sample.ts
      sample.device_id = i % 11 === 0 ? 'dev "quoted", too' : `d-${i % 13}`
      sample.profile = 'room-sensor'
      sample.seq = i
      sample.connectivity = i % 5 === 0 ? 'offline' : 'online'
      sample.battery = i % 3 === 0 ? null : Math.round(rng() * 1000) / 10
      sample.firmware_version = '2.1.0'
      sample.count = 1 + (i % 3)
      for (let k = 0; k < sample.count; k++) {
        sample.sensors[k] = ['temperature', 'humidity', 'çapteur'][k]!
        sample.values[k] = i % 17 === 0 ? null : i % 19 === 0 ? NaN : Math.round((rng() - 0.3) * 10_000) / 100
        sample.clean[k] = Math.round(rng() * 10_000) / 100
        sample.anomalyIds[k] = ids[(i + k) % ids.length]!
        const id = sample.anomalyIds[k]!
        rows.push({ ts: sample.ts, ts_device: sample.ts_device, device_id: sample.device_id, profile: sample.profile, sensor: sample.sensors[k]!, value: sample.values[k]!, value_clean: sample.clean[k]!, is_anomaly: id !== '', anomaly_ids: id, seq: sample.seq, connectivity: sample.connectivity, battery: sample.battery, firmware_version: sample.firmware_version })
      }
      w.writeSample(sample)
    }
    const result = await w.close()
    expect(result.rows).toBe(rows.length)
    const text = readFileSync(file, 'utf8')
    expect(text).toBe('ts,ts_device,device_id,profile,sensor,value,value_clean,is_anomaly,anomaly_ids,seq,connectivity,battery,firmware_version\n' + rows.map(csvLine).join(''))
  })
})
