import type { z } from 'zod'
import type { routeSignal } from '../../spec/index.js'
import type { Signal, StreamFactory } from './signal.js'

const EARTH_RADIUS_KM = 6371

function haversineKm(a: readonly [number, number], b: readonly [number, number]): number {
  const rad = Math.PI / 180
  const dLat = (b[0] - a[0]) * rad
  const dLon = (b[1] - a[1]) * rad
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a[0] * rad) * Math.cos(b[0] * rad) * Math.sin(dLon / 2) ** 2
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.sqrt(h))
}

/**
 * A vehicle travelling a closed loop of waypoints at constant speed. The starting point along the loop
 * is drawn from the device's `route` stream, shared by its lat and lon sensors so they agree.
 */
export function route(spec: z.output<typeof routeSignal>, streams: StreamFactory): Signal {
  const points = spec.waypoints
  const legs = points.map((p, i) => haversineKm(p, points[(i + 1) % points.length]!))
  const loopKm = legs.reduce((a, b) => a + b, 0)
  const startKm = streams('route').uniform(0, loopKm)
  const axis = spec.axis === 'lat' ? 0 : 1
  return {
    at: (t) => {
      if (loopKm === 0) return points[0]![axis]
      let d = (startKm + (spec.speedKmh * t) / 3_600_000) % loopKm
      for (let i = 0; i < legs.length; i++) {
        const leg = legs[i]!
        if (d <= leg || i === legs.length - 1) {
          const a = points[i]!
          const b = points[(i + 1) % points.length]!
          const f = leg === 0 ? 0 : Math.min(1, d / leg)
          return a[axis] + (b[axis] - a[axis]) * f
        }
        d -= leg
      }
      return points[0]![axis]
    },
  }
}
