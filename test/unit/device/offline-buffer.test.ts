import { describe, expect, it } from 'vitest'
import { OfflineBuffer } from '../../../src/device/offline-buffer.js'
import type { OutboundMessage } from '../../../src/device/outbound.js'
import { encodeJson } from '../../../src/telemetry/index.js'

const message = (seq: number, payload?: Buffer): OutboundMessage => {
  const values = { temperature: 20 + seq / 10, vibration: null }
  return { topic: 'devices/d1/telemetry', qos: 1, fields: { ts: 1_700_000_000_000 + seq, seq, values, battery: 97.5 }, faultIds: [], sample: { ts: 0, tRelMs: 0, values, clean: {}, faultIds: {} }, ...(payload ? { payload } : {}) }
}
const json = { payloadForLater: (m: OutboundMessage) => (m.payload ? undefined : encodeJson(m.fields)) }

describe('OfflineBuffer', () => {
  it('gives JSON messages back in order with the bytes they would have had, the oldest dropped when full', () => {
    const buffer = new OfflineBuffer(3, json)
    const made = [1, 2, 3, 4, 5].map((seq) => message(seq))
    const kept = made.map((m) => buffer.push(m))
    expect(kept).toEqual([true, true, true, false, false])
    expect(buffer.length).toBe(3)
    const out: OutboundMessage[] = []
    for (let m = buffer.shift(); m; m = buffer.shift()) out.push(m)
    expect(out.map((m) => [m.topic, m.qos, m.fields.seq])).toEqual([3, 4, 5].map((seq) => ['devices/d1/telemetry', 1, seq]))
    expect(out.map((m) => m.payload!.toString())).toEqual(made.slice(2).map((m) => encodeJson(m.fields).toString()))
  })

  it('encodes when a message is kept: what happens to its objects afterwards does not change what is sent', () => {
    const buffer = new OfflineBuffer(10, json)
    const m = message(7)
    const bytes = encodeJson(m.fields)
    buffer.push(m)
    m.fields.values.temperature = -1
    m.fields.ts = 0
    expect(buffer.shift()!.payload).toEqual(bytes)
  })

  it('after an outage drained it, the next outage keeps and gives back its own messages in order', () => {
    const buffer = new OfflineBuffer(100, json)
    for (let seq = 1; seq <= 30; seq++) buffer.push(message(seq))
    const first: number[] = []
    for (let m = buffer.shift(); m; m = buffer.shift()) first.push(m.fields.seq)
    expect(first).toEqual(Array.from({ length: 30 }, (_, i) => i + 1))
    expect(buffer.length).toBe(0)
    for (const seq of [31, 32, 33]) buffer.push(message(seq))
    expect(buffer.length).toBe(3)
    expect([buffer.shift()!.fields.seq, buffer.shift()!.fields.seq, buffer.shift()!.fields.seq, buffer.shift()]).toEqual([31, 32, 33, undefined])
  })

  it('keeps nothing at capacity 0: every message is dropped', () => {
    const buffer = new OfflineBuffer(0, json)
    expect(buffer.push(message(1))).toBe(false)
    expect(buffer.length).toBe(0)
    expect(buffer.shift()).toBeUndefined()
  })

  it('gives back exactly the bytes of payloads that are not ASCII', () => {
    const buffer = new OfflineBuffer(2, json)
    const m: OutboundMessage = { ...message(3), fields: { ts: 1, seq: 3, values: { 'température °C': 21.5 }, fw: 'v2 – β' } }
    buffer.push(m)
    expect(buffer.shift()!.payload).toEqual(encodeJson(m.fields))
  })

  it('keeps as they are the messages whose payload cannot be made early (a fault’s raw bytes, Sparkplug)', () => {
    const raw = message(1, Buffer.from('{not json'))
    const sparkplug = { payloadForLater: () => undefined }
    const a = new OfflineBuffer(2, json)
    a.push(raw)
    expect(a.shift()).toBe(raw)
    const b = new OfflineBuffer(2, sparkplug)
    const m = message(2)
    b.push(m)
    expect(b.shift()).toBe(m)
    expect(b.shift()).toBeUndefined()
  })
})
