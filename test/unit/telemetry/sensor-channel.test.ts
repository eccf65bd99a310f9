import { describe, expect, it } from 'vitest'
import { deriveStream } from '../../../src/core/rng.js'
import { sensorSchema } from '../../../src/spec/device-profile.schema.js'
import { SensorChannel } from '../../../src/telemetry/sensor-channel.js'
import type { StreamFactory } from '../../../src/telemetry/signals/index.js'

const SEED = 11
const streams: StreamFactory = (purpose) => deriveStream(SEED, 'dev', purpose)
const sensor = (s: Record<string, unknown>) => sensorSchema.parse(s)

describe('SensorChannel', () => {
  it('without noise reads the signal, rounded to 2 decimals by default', () => {
    const ch = new SensorChannel('t', sensor({ signal: { kind: 'constant', value: 21.456789 } }), streams)
    expect(ch.read(0)).toBe(21.46)
    expect(ch.read(1000)).toBe(21.46)
  })

  it('adds Gaussian noise of sd `noise` from its own "<name>:noise" stream', () => {
    const ch = new SensorChannel('temp', sensor({ signal: { kind: 'constant', value: 20 }, noise: 0.5, precision: 9 }), streams)
    const noise = deriveStream(SEED, 'dev', 'temp:noise')
    const values: number[] = []
    for (let i = 0; i < 2000; i++) {
      const v = ch.read(i * 1000)
      expect(v).toBeCloseTo(20 + 0.5 * noise.normal(), 8)
      values.push(v)
    }
    const mean = values.reduce((a, b) => a + b, 0) / values.length
    const sd = Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length)
    expect(mean).toBeCloseTo(20, 1)
    expect(sd).toBeGreaterThan(0.45)
    expect(sd).toBeLessThan(0.55)
  })

  it('gives each sensor of a device its own signal stream ("<name>:<purpose>")', () => {
    const spec = sensor({ signal: { kind: 'random-walk', start: 0, step: 1, startJitter: 5 }, precision: 9 })
    const a = new SensorChannel('a', spec, streams)
    const b = new SensorChannel('b', spec, streams)
    expect(a.read(0)).not.toBe(b.read(0))
    const expected = deriveStream(SEED, 'dev', 'a:walk').uniform(-5, 5)
    expect(new SensorChannel('a', spec, streams).read(0)).toBeCloseTo(expected, 9)
  })

  it('clamps readings (signal + noise) into the range', () => {
    const hi = new SensorChannel('h', sensor({ signal: { kind: 'constant', value: 150 }, range: [0, 100] }), streams)
    const lo = new SensorChannel('l', sensor({ signal: { kind: 'constant', value: -3 }, range: [0, 100] }), streams)
    expect(hi.read(0)).toBe(100)
    expect(lo.read(0)).toBe(0)
    const noisy = new SensorChannel('n', sensor({ signal: { kind: 'constant', value: 99.9 }, noise: 5, range: [0, 100] }), streams)
    for (let i = 0; i < 500; i++) {
      const v = noisy.read(i)
      expect(v).toBeLessThanOrEqual(100)
      expect(v).toBeGreaterThanOrEqual(0)
    }
  })

  it('rounds to `precision` decimal places', () => {
    const make = (precision: number) => new SensorChannel('p', sensor({ signal: { kind: 'constant', value: 3.14159265 }, precision }), streams)
    expect(make(0).read(0)).toBe(3)
    expect(make(1).read(0)).toBe(3.1)
    expect(make(4).read(0)).toBe(3.1416)
  })

  it('finish() clamps and rounds any value (used for faulty readings too)', () => {
    const ch = new SensorChannel('f', sensor({ signal: { kind: 'constant', value: 0 }, range: [-10, 10], precision: 1 }), streams)
    expect(ch.finish(3.14159)).toBe(3.1)
    expect(ch.finish(99)).toBe(10)
    expect(ch.finish(-99)).toBe(-10)
  })

  it('defaultSpikeDelta is half the range span, or |clean|/10 + 10 when unbounded', () => {
    const ranged = new SensorChannel('r', sensor({ signal: { kind: 'constant', value: 0 }, range: [-40, 80] }), streams)
    expect(ranged.defaultSpikeDelta(12)).toBe(60)
    const open = new SensorChannel('o', sensor({ signal: { kind: 'constant', value: 0 } }), streams)
    expect(open.defaultSpikeDelta(50)).toBe(15)
    expect(open.defaultSpikeDelta(-50)).toBe(15)
    expect(open.defaultSpikeDelta(0)).toBe(10)
  })
})

describe('SensorChannel: counters', () => {
  it('a counter reading never goes backwards, even with noise', () => {
    const ch = new SensorChannel('energy', sensor({ signal: { kind: 'counter', ratePerHour: 0.01, rateJitter: 0 }, noise: 1, precision: 3 }), streams)
    let prev = -Infinity
    let flat = 0
    for (let i = 0; i < 2000; i++) {
      const v = ch.read(i * 60_000)
      expect(v).toBeGreaterThanOrEqual(prev)
      if (v === prev) flat++
      prev = v
    }
    // Noise far larger than the increments: without the guard about half the reads would go down.
    expect(flat).toBeGreaterThan(100)
  })

  it('other signals with noise may go down', () => {
    const ch = new SensorChannel('t', sensor({ signal: { kind: 'constant', value: 0 }, noise: 1 }), streams)
    const values = Array.from({ length: 50 }, (_, i) => ch.read(i))
    expect(values.some((v, i) => i > 0 && v < values[i - 1]!)).toBe(true)
  })
})
