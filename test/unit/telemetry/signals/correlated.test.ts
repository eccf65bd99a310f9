import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { deriveStream } from '../../../../src/core/rng.js'
import { checkProfileFile } from '../../../../src/fleet/load-fleet.js'
import { sensorSchema } from '../../../../src/spec/device-profile.schema.js'
import { SensorChannel } from '../../../../src/telemetry/sensor-channel.js'
import type { StreamFactory } from '../../../../src/telemetry/signals/index.js'

const SEED = 5
const streamsFor = (device: string): StreamFactory => (purpose) => deriveStream(SEED, device, purpose)
const sensor = (s: Record<string, unknown>) => sensorSchema.parse(s)

/** The channels of one device, read in order as the sampler does. */
function device(name: string, sensors: Record<string, Record<string, unknown>>) {
  const streams = streamsFor(name)
  const channels = Object.entries(sensors).map(([n, s]) => new SensorChannel(n, sensor(s), streams))
  return (t: number) => Object.fromEntries(channels.map((ch) => [ch.name, ch.read(t)]))
}

describe('correlated', () => {
  it('is exactly scale × source + offset with noise 0 (the source’s clean, rounded value)', () => {
    const read = device('d', {
      temperature: { signal: { kind: 'sine', mean: 20, amplitude: 5, period: '1h' }, noise: 0.3, precision: 1 },
      humidity: { signal: { kind: 'correlated', source: 'temperature', scale: -2, offset: 100 }, precision: 9 },
    })
    for (let t = 0; t < 3_600_000; t += 60_000) {
      const v = read(t)
      expect(v.humidity).toBeCloseTo(-2 * v.temperature! + 100, 9)
    }
  })

  it('adds Gaussian noise of sd `noise`, deterministic per seed', () => {
    const sensors = {
      temperature: { signal: { kind: 'ou', mean: 20, theta: 1, sigma: 1 }, precision: 9 },
      humidity: { signal: { kind: 'correlated', source: 'temperature', scale: -2, offset: 100, noise: 1.5 }, precision: 9 },
    }
    const read = device('n', sensors)
    const again = device('n', sensors)
    const residuals: number[] = []
    for (let i = 0; i < 5000; i++) {
      const v = read(i * 60_000)
      expect(again(i * 60_000)).toEqual(v)
      residuals.push(v.humidity! - (-2 * v.temperature! + 100))
    }
    const m = residuals.reduce((a, b) => a + b, 0) / residuals.length
    const sd = Math.sqrt(residuals.reduce((a, b) => a + (b - m) ** 2, 0) / residuals.length)
    expect(Math.abs(m)).toBeLessThan(0.1)
    expect(sd).toBeGreaterThan(1.4)
    expect(sd).toBeLessThan(1.6)
  })

  it('still gets range clamp and precision from its own sensor', () => {
    const read = device('c', {
      t: { signal: { kind: 'constant', value: 30 } },
      h: { signal: { kind: 'correlated', source: 't', scale: 3.3333 }, range: [0, 95], precision: 0 },
      h2: { signal: { kind: 'correlated', source: 't', scale: 0.33333 }, precision: 1 },
    })
    expect(read(0)).toEqual({ t: 30, h: 95, h2: 10 })
  })

  it('refuses a source that is not an earlier channel of the same device', () => {
    const streams = streamsFor('x')
    expect(() => new SensorChannel('h', sensor({ signal: { kind: 'correlated', source: 'later' } }), streams)).toThrow(
      'sensor "h": correlated source "later" must be a sensor defined before it',
    )
  })

  it('is checked in the profile: source must exist and be defined before, with file:line and a hint', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fleet-emu-correlated-'))
    const file = join(dir, 'bad.device.yaml')
    writeFileSync(
      file,
      [
        'name: bad',
        'telemetry: { period: 1s }',
        'sensors:',
        '  humidity:',
        '    signal: { kind: correlated, source: temperature, scale: -2 }',
        '  temperature:',
        '    signal: { kind: constant, value: 20 }',
        '  dew:',
        '    signal: { kind: correlated, source: tempreature }',
        '  self:',
        '    signal: { kind: correlated, source: self }',
        '',
      ].join('\n'),
    )
    const r = checkProfileFile(file)
    expect(r.ok).toBe(false)
    if (r.ok) return
    expect(r.problems.map((p) => ({ at: `${p.line}:${p.column}`, path: p.path, message: p.message, hint: p.hint }))).toEqual([
      { at: '5:41', path: 'sensors.humidity.signal.source', message: 'sensor "temperature" is defined after "humidity"', hint: 'move "temperature" above "humidity": a correlated sensor reads sensors defined before it' },
      { at: '9:41', path: 'sensors.dew.signal.source', message: 'no sensor "tempreature" in this profile', hint: 'sensors defined before "dew": humidity, temperature' },
      { at: '11:41', path: 'sensors.self.signal.source', message: 'a sensor cannot be correlated with itself', hint: 'sensors defined before "self": humidity, temperature, dew' },
    ])
  })

  it('accepts a correlated sensor after its source', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fleet-emu-correlated-'))
    const file = join(dir, 'ok.device.yaml')
    writeFileSync(file, 'name: ok\ntelemetry: { period: 1s }\nsensors:\n  t:\n    signal: { kind: constant, value: 20 }\n  h:\n    signal: { kind: correlated, source: t }\n')
    const r = checkProfileFile(file)
    expect(r.ok).toBe(true)
  })
})
