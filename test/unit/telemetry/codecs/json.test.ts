import { describe, expect, it } from 'vitest'
import { encodeJson, encodeJsonValue } from '../../../../src/telemetry/codecs/json.js'

describe('encodeJson', () => {
  it('writes exactly ts, seq, the values in their order, battery, fw', () => {
    const bytes = encodeJson({ ts: 1767225600000, seq: 3, values: { temperature: 21.5, humidity: 40 }, battery: 97.1, fw: '1.2.0' })
    expect(bytes).toBeInstanceOf(Buffer)
    expect(bytes.toString('utf8')).toBe('{"ts":1767225600000,"seq":3,"temperature":21.5,"humidity":40,"battery":97.1,"fw":"1.2.0"}')
  })

  it('keeps the key order of values (not alphabetical), so payloads are byte-identical per seed', () => {
    const a = encodeJson({ ts: 1, seq: 1, values: { z: 1, a: 2, m: 3 } }).toString()
    expect(a).toBe('{"ts":1,"seq":1,"z":1,"a":2,"m":3}')
    expect(Object.keys(JSON.parse(a) as object)).toEqual(['ts', 'seq', 'z', 'a', 'm'])
  })

  it('omits battery and fw when absent', () => {
    expect(encodeJson({ ts: 5, seq: 0, values: {} }).toString()).toBe('{"ts":5,"seq":0}')
    expect(encodeJson({ ts: 5, seq: 0, values: {}, battery: 0 }).toString()).toBe('{"ts":5,"seq":0,"battery":0}')
  })

  it('writes null for null and ±Infinity, and NaN as the string "NaN", so the payload is always valid JSON', () => {
    const text = encodeJson({ ts: 1, seq: 2, values: { a: null, b: NaN, c: Infinity, d: -Infinity, e: -0.5 } }).toString()
    expect(text).toBe('{"ts":1,"seq":2,"a":null,"b":"NaN","c":null,"d":null,"e":-0.5}')
    expect(JSON.parse(text)).toEqual({ ts: 1, seq: 2, a: null, b: 'NaN', c: null, d: null, e: -0.5 })
  })

  it('encodeJsonValue gives one reading as encodeJson writes it', () => {
    expect([encodeJsonValue(null), encodeJsonValue(NaN), encodeJsonValue(-Infinity), encodeJsonValue(21.5)]).toEqual(['null', '"NaN"', 'null', 21.5])
  })

  it('writes finite numbers exactly as before (String(v)), including exponents and -0', () => {
    const values = { a: 0, b: -0, c: 1e21, d: 1.5e-7, e: 123456.789, f: -40, g: 0.1 + 0.2 }
    const text = encodeJson({ ts: 1, seq: 1, values }).toString()
    expect(text).toBe(`{"ts":1,"seq":1,"a":0,"b":0,"c":1e+21,"d":1.5e-7,"e":123456.789,"f":-40,"g":${String(0.1 + 0.2)}}`)
    expect(JSON.parse(text)).toEqual({ ts: 1, seq: 1, ...values, b: 0 })
  })

  it('escapes sensor names and firmware strings', () => {
    const text = encodeJson({ ts: 1, seq: 1, values: { 'we"ird\\key': 1 }, fw: 'v"1' }).toString()
    expect(JSON.parse(text)).toEqual({ ts: 1, seq: 1, 'we"ird\\key': 1, fw: 'v"1' })
  })

  it('is UTF-8', () => {
    const bytes = encodeJson({ ts: 1, seq: 1, values: { 'température': 1 } })
    expect(bytes.length).toBe(Buffer.byteLength('{"ts":1,"seq":1,"température":1}'))
    expect(JSON.parse(bytes.toString('utf8'))).toEqual({ ts: 1, seq: 1, 'température': 1 })
  })
})
