import type { Rng } from '../core/index.js'
import type { SensorSpec } from '../spec/index.js'
import { createSignal, type PeerValues, type Signal, type StreamFactory } from './signals/index.js'

/**
 * Channels of one device, by name, in creation (profile) order: a `correlated` sensor reads the clean value
 * of an earlier one in the same sample. When the caller gives no registry of its own, channels made with
 * one stream factory (which all of a device's channels share) find each other through this one.
 */
const byStreams = new WeakMap<object, Map<string, SensorChannel>>()

/** The registry of the channels made with `streams`. */
function registryFor(streams: StreamFactory): Map<string, SensorChannel> {
  let channels = byStreams.get(streams)
  if (!channels) byStreams.set(streams, (channels = new Map()))
  return channels
}

/**
 * One sensor of one device: signal + measurement noise, clamped to the physical range and rounded to
 * the sensor's precision. `read` gives the clean value (before any injected fault).
 */
export class SensorChannel {
  private readonly signal: Signal
  /** Only for a sensor with noise: a device's channels are ~10,000 × its sensors at fleet scale. */
  private readonly noiseRng: Rng | undefined
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
    /**
     * The device's channels by name, for `correlated` sensors (this one adds itself); `null` when none
     * of the device's sensors is correlated. Default: the channels made with the same `streams`.
     */
    private readonly channels: Map<string, SensorChannel> | null = registryFor(streams),
  ) {
    const signal = spec.signal
    if (signal.kind === 'correlated') {
      if (!channels) throw new Error(`sensor "${name}": a correlated sensor needs its device's channels`)
      const source = channels.get(signal.source)
      if (!source || signal.source === name) throw new Error(`sensor "${name}": correlated source "${signal.source}" must be a sensor defined before it`)
      this.peers = (sensor) => {
        const ch = channels.get(sensor)
        if (ch?.lastClean === undefined) throw new Error(`sensor "${name}": sensor "${sensor}" has not been read yet`)
        return ch.lastClean
      }
    }
    channels?.set(name, this)
    this.signal = createSignal(spec.signal, (purpose) => streams(purpose === 'route' ? 'route' : `${name}:${purpose}`))
    this.noiseRng = spec.noise > 0 ? streams(`${name}:noise`) : undefined
    this.scale = 10 ** spec.precision
    this.monotonic = spec.signal.kind === 'counter'
  }

  read(tMs: number): number {
    let v = this.signal.at(tMs, this.peers)
    if (this.noiseRng) v += this.spec.noise * this.noiseRng.normal()
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
    return { source: signal.source, scale: signal.scale, sourceClean: this.channels?.get(signal.source)?.lastClean }
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
