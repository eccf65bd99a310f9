import { describe, expect, it } from 'vitest'
import { deriveStream } from '../../../../src/core/rng.js'
import { sensorSchema } from '../../../../src/spec/device-profile.schema.js'
import { routeSignal } from '../../../../src/spec/signal.schema.js'
import { SensorChannel } from '../../../../src/telemetry/sensor-channel.js'
import { route } from '../../../../src/telemetry/signals/route.js'
import type { StreamFactory } from '../../../../src/telemetry/signals/index.js'

const SEED = 7
const HOUR = 3_600_000
/** A device's stream factory, as VirtualDevice builds it (`signal:<purpose>`). */
const deviceStreams = (device: string): StreamFactory => (purpose) => deriveStream(SEED, device, `signal:${purpose}`)

type Point = [number, number]
const LOOP: Point[] = [
  [52.0, 4.0],
  [52.05, 4.0],
  [52.05, 4.1],
  [52.0, 4.1],
]

function haversineKm(a: Point, b: Point): number {
  const rad = Math.PI / 180
  const h = Math.sin(((b[0] - a[0]) * rad) / 2) ** 2 + Math.cos(a[0] * rad) * Math.cos(b[0] * rad) * Math.sin(((b[1] - a[1]) * rad) / 2) ** 2
  return 2 * 6371 * Math.asin(Math.sqrt(h))
}
const loopKm = LOOP.reduce((sum, p, i) => sum + haversineKm(p, LOOP[(i + 1) % LOOP.length]!), 0)

/** True when p lies on one of the loop's straight legs (in lat/lon space). */
function onLoop(p: Point, eps = 1e-9): boolean {
  return LOOP.some((a, i) => {
    const b = LOOP[(i + 1) % LOOP.length]!
    const cross = (b[0] - a[0]) * (p[1] - a[1]) - (b[1] - a[1]) * (p[0] - a[0])
    const within = (k: 0 | 1) => p[k] >= Math.min(a[k], b[k]) - eps && p[k] <= Math.max(a[k], b[k]) + eps
    return Math.abs(cross) < eps && within(0) && within(1)
  })
}

const spec = (axis: 'lat' | 'lon', speedKmh = 36) => routeSignal.parse({ kind: 'route', axis, waypoints: LOOP, speedKmh })
const channel = (name: string, axis: 'lat' | 'lon', device: string, speedKmh = 36) =>
  new SensorChannel(name, sensorSchema.parse({ signal: spec(axis, speedKmh), precision: 9 }), deviceStreams(device))

describe('route', () => {
  it('stays on the closed loop of waypoints at all times', () => {
    const lat = route(spec('lat'), (p) => deriveStream(SEED, 'v1', p))
    const lon = route(spec('lon'), (p) => deriveStream(SEED, 'v1', p))
    for (let t = 0; t < 3 * HOUR; t += 37_000) expect(onLoop([lat.at(t), lon.at(t)]), `t=${t}`).toBe(true)
  })

  it("a device's lat and lon sensors agree: both draw the start from the shared 'route' stream", () => {
    for (const device of ['v1', 'v2', 'v3']) {
      const lat = channel('lat', 'lat', device)
      const lon = channel('lon', 'lon', device)
      for (let t = 0; t < HOUR; t += 61_000) {
        const p: Point = [lat.read(t), lon.read(t)]
        expect(onLoop(p, 1e-8), `${device} t=${t} ${p.join(',')}`).toBe(true)
      }
    }
  })

  it('different devices start at different points of the loop', () => {
    const starts = ['v1', 'v2', 'v3'].map((d) => `${channel('lat', 'lat', d).read(0)},${channel('lon', 'lon', d).read(0)}`)
    expect(new Set(starts).size).toBe(3)
  })

  it('returns to the same position after travelling the loop length', () => {
    const lapMs = (loopKm / 36) * HOUR
    const lat = route(spec('lat'), (p) => deriveStream(SEED, 'v1', p))
    const lon = route(spec('lon'), (p) => deriveStream(SEED, 'v1', p))
    for (const t0 of [0, 12_345, HOUR / 7]) {
      expect(lat.at(t0 + lapMs)).toBeCloseTo(lat.at(t0), 9)
      expect(lon.at(t0 + lapMs)).toBeCloseTo(lon.at(t0), 9)
      expect(lat.at(t0 + 3 * lapMs)).toBeCloseTo(lat.at(t0), 9)
    }
    // …and is somewhere else halfway round.
    const halfway = Math.abs(lat.at(lapMs / 2) - lat.at(0)) + Math.abs(lon.at(lapMs / 2) - lon.at(0))
    expect(halfway).toBeGreaterThan(0.01)
  })

  it('moves at speedKmh along a leg', () => {
    const lat = route(spec('lat', 36), (p) => deriveStream(SEED, 'v1', p))
    const lon = route(spec('lon', 36), (p) => deriveStream(SEED, 'v1', p))
    // 36 km/h = 10 m/s; over 10 s the vehicle moves 100 m, unless it turned a corner meanwhile.
    let straight = 0
    for (let t = 0; t < HOUR; t += 60_000) {
      const a: Point = [lat.at(t), lon.at(t)]
      const b: Point = [lat.at(t + 10_000), lon.at(t + 10_000)]
      const sameLeg = a[0] === b[0] || a[1] === b[1] // the loop's legs are axis-aligned
      if (!sameLeg) continue
      straight++
      expect(haversineKm(a, b)).toBeCloseTo(0.1, 3)
    }
    expect(straight).toBeGreaterThan(50)
  })

  it('a degenerate loop (all waypoints equal) stays at the first waypoint', () => {
    const s = route(routeSignal.parse({ kind: 'route', axis: 'lon', waypoints: [[1, 2], [1, 2], [1, 2]], speedKmh: 50 }), (p) => deriveStream(SEED, 'v', p))
    expect([0, 1000, HOUR].map((t) => s.at(t))).toEqual([2, 2, 2])
  })
})
