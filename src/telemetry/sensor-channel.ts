import type { Rng } from '../core/index.js'
import type { SensorSpec } from '../spec/index.js'
import { createSignal, type PeerValues, type Signal, type StreamFactory } from './signals/index.js'

/**
 * Channels of one device, by name, in creation (profile) order: a `correlated` sensor reads the clean value
 * of an earlier one in the same sample. Keyed by the device (by default its stream factory, which all of
 * a device's channels share).
 */
const devices = new WeakMap<object, Map<string, SensorChannel>>()

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
  private readonly peers: PeerValues | undefined
  /** The last clean value read. */
  private lastClean: number | undefined

  constructor(
    readonly name: string,
    readonly spec: SensorSpec,
    streams: StreamFactory,
    /** Identifies the device the channel belongs to (for `correlated` sensors). */
    private readonly device: object = streams,
  ) {
    let channels = devices.get(device)
    if (!channels) devices.set(device, (channels = new Map()))
    const signal = spec.signal
    if (signal.kind === 'correlated') {
      const source = channels.get(signal.source)
      if (!source || signal.source === name) throw new Error(`sensor "${name}": correlated source "${signal.source}" must be a sensor defined before it`)
      this.peers = (sensor) => {
        const ch = channels.get(sensor)
        if (ch?.lastClean === undefined) throw new Error(`sensor "${name}": sensor "${sensor}" has not been read yet`)
        return ch.lastClean
      }
    }
    channels.set(name, this)
    this.signal = createSignal(spec.signal, (purpose) => streams(purpose === 'route' ? 'route' : `${name}:${purpose}`))
    this.noiseRng = streams(`${name}:noise`)
    this.scale = 10 ** spec.precision
    this.monotonic = spec.signal.kind === 'counter'
  }

  read(tMs: number): number {
    let v = this.signal.at(tMs, this.peers)
    if (this.spec.noise > 0) v += this.spec.noise * this.noiseRng.normal()
    v = this.finish(v)
    // A counter (energy register, odometer) never goes backwards, noise or not.
    if (this.monotonic) v = this.lastRead = Math.max(v, this.lastRead)
    this.lastClean = v
    return v
  }


  /**
   * For a `correlated` sensor: its source sensor, the relation's scale, and the source's clean value
   * in the current sample (sources are read first); undefined for other signals.
   */
  correlation(): { source: string; scale: number; sourceClean: number | undefined } | undefined {
    const signal = this.spec.signal
    if (signal.kind !== 'correlated') return undefined
    return { source: signal.source, scale: signal.scale, sourceClean: devices.get(this.device)?.get(signal.source)?.lastClean }
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
