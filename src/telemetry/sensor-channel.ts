import type { Rng } from '../core/index.js'
import type { SensorSpec } from '../spec/index.js'
import { createSignal, type Signal, type StreamFactory } from './signals/index.js'

/**
 * One sensor of one device: signal + measurement noise, clamped to the physical range and rounded to
 * the sensor's precision. `read` gives the clean value (before any injected fault).
 */
export class SensorChannel {
  private readonly signal: Signal
  private readonly noiseRng: Rng
  private readonly scale: number
  private readonly monotonic: boolean
  private lastRead = -Infinity

  constructor(
    readonly name: string,
    readonly spec: SensorSpec,
    streams: StreamFactory,
  ) {
    this.signal = createSignal(spec.signal, (purpose) => streams(purpose === 'route' ? 'route' : `${name}:${purpose}`))
    this.noiseRng = streams(`${name}:noise`)
    this.scale = 10 ** spec.precision
    this.monotonic = spec.signal.kind === 'counter'
  }

  read(tMs: number): number {
    let v = this.signal.at(tMs)
    if (this.spec.noise > 0) v += this.spec.noise * this.noiseRng.normal()
    v = this.finish(v)
    // A counter (energy register, odometer) never goes backwards, noise or not.
    if (this.monotonic) v = this.lastRead = Math.max(v, this.lastRead)
    return v
  }


  /** Range clamp and rounding, also applied to faulty values a real sensor could still report. */
  finish(v: number): number {
    const r = this.spec.range
    if (r) v = Math.min(r[1], Math.max(r[0], v))
    return Math.round(v * this.scale) / this.scale
  }

  /** Half the range span, or a tenth of |value| + 10 when unbounded: the default spike size. */
  defaultSpikeDelta(clean: number): number {
    const r = this.spec.range
    return r ? (r[1] - r[0]) / 2 : Math.abs(clean) / 10 + 10
  }
}
