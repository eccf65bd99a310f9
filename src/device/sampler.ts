import type { Clock, Rng, TimerHandle } from '../core/index.js'
import type { DeviceProfile } from '../spec/index.js'
import { SensorChannel, type StreamFactory } from '../telemetry/index.js'
import type { ValueFault } from './value-fault.js'

/** One produced reading set: the reported values, the clean ones, and which faults touched which sensor. */
export interface Sample {
  /** Clock time of production, epoch ms. */
  ts: number
  /** Nominal sample time, ms since the run started (what the signals were evaluated at). */
  tRelMs: number
  values: Record<string, number | null>
  clean: Record<string, number>
  /** sensor → ids of the faults that changed it. */
  faultIds: Record<string, string[]>
}

/** What a sampler tells its device and asks of it. */
export interface SamplerOwner {
  /** Every tick, with the sample (undefined while not producing) and the time since the previous tick. */
  ticked(sample: Sample | undefined, elapsedMs: number): void
  /** Whether the firmware is producing readings now (its top-level state is `running`). */
  producing(): boolean
  /**
   * Whether a sample now is done with by the end of its tick, so the sampler may reuse one sample
   * object (see `scratch`).
   */
  reusable(): boolean
}

/** The faultIds of every sample no fault touched (shared: never mutated). */
const NO_FAULTS: Record<string, string[]> = Object.freeze({}) as Record<string, string[]>

/**
 * Drives a device's sensors on the clock. Ticks follow a nominal schedule (seeded phase and jitter),
 * and the physical signals advance on every tick whatever the firmware is doing, so a device's clean
 * values depend only on (seed, device id) — not on wall timing, reboots or faults.
 */
export class Sampler {
  readonly channels: SensorChannel[]
  private readonly faults: ValueFault[] = []
  /** The clean values of the last produced sample, by channel index (what `stuck` freezes at). */
  private readonly lastClean: (number | undefined)[]
  private timer: TimerHandle | undefined
  /** The timer that fired last: set again for the next tick where the clock can (no garbage per tick). */
  private spent: TimerHandle | undefined
  /** Bound once: a sampler ticks millions of times in a dataset, a closure per tick is garbage. */
  private readonly tickFn = () => this.tick()
  /**
   * The sample of every clean tick whose sample nobody keeps (`reusable` says so: a dataset's fast
   * lane reads it and lets it go), written over in place — no garbage per sample.
   */
  private readonly scratch: Sample
  private nextRelMs: number
  private lastRelMs: number
  private stopped = false
  private periodMs: number
  /** The jitter draw of the interval now pending (kept, so a period change reuses it). */
  private jitterU = 0
  private ticked = false

  constructor(
    private readonly profile: DeviceProfile,
    streams: StreamFactory,
    private readonly clock: Clock,
    private runStartMs: number,
    private readonly jitterRng: Rng,
    startRelMs: number,
    private readonly owner: SamplerOwner,
  ) {
    // A registry of the device's channels only when one reads another (a `correlated` sensor).
    const sensors = Object.entries(profile.sensors)
    const registry = sensors.some(([, spec]) => spec.signal.kind === 'correlated') ? new Map<string, SensorChannel>() : null
    this.channels = sensors.map(([name, spec]) => new SensorChannel(name, spec, streams, registry))
    // Sized once: an array grown by assignment reserves room for 17 (~150 B a device at fleet scale).
    this.lastClean = new Array<number | undefined>(this.channels.length).fill(undefined)
    const clean: Record<string, number> = {}
    for (const ch of this.channels) clean[ch.name] = 0
    this.scratch = { ts: 0, tRelMs: 0, values: clean, clean, faultIds: NO_FAULTS }
    this.nextRelMs = Math.round(startRelMs)
    this.lastRelMs = this.nextRelMs
    this.periodMs = profile.telemetry.period
  }

  /** The sample period now in force (the profile's, unless changed by {@link setPeriod}). */
  get samplePeriodMs(): number {
    return this.periodMs
  }

  /**
   * Changes the sample period at run time (a `config-set` command). The pending interval is
   * re-timed from the last tick with the new period (never into the past), keeping its jitter draw,
   * so the seeded streams are not shifted. Before the first tick only later intervals change.
   */
  setPeriod(periodMs: number): void {
    if (periodMs === this.periodMs) return
    this.periodMs = periodMs
    if (!this.ticked || this.stopped) return
    if (this.timer === undefined) {
      // Called from inside a tick (its onTick: a battery crossing, a command): the interval that tick
      // is about to schedule is re-timed here; the tick schedules it.
      this.nextRelMs = this.lastRelMs + this.intervalMs()
      return
    }
    this.clock.clearTimeout(this.timer)
    this.nextRelMs = Math.max(Math.ceil(this.clock.now() - this.runStartMs), this.lastRelMs + this.intervalMs())
    this.schedule()
  }

  /** Run-relative time (ms) of the latest tick: what the battery integrates charging up to. */
  get lastTickRelMs(): number {
    return this.lastRelMs
  }

  /** Starts ticking; `runStartMs` (default: the one it was made with) is the run's start, where signal time 0 is. */
  start(runStartMs = this.runStartMs): void {
    this.runStartMs = runStartMs
    this.schedule()
  }

  stop(): void {
    this.stopped = true
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer)
    this.timer = undefined
  }

  attach(fault: ValueFault): void {
    this.faults.push(fault)
  }

  detach(faultId: string): boolean {
    const i = this.faults.findIndex((f) => f.faultId === faultId)
    if (i >= 0) this.faults.splice(i, 1)
    return i >= 0
  }

  get activeFaults(): readonly ValueFault[] {
    return this.faults
  }

  /** Whether `sample` is the reused one (see `scratch`): copy it to keep it. */
  isScratch(sample: Sample): boolean {
    return sample === this.scratch
  }

  lastCleanValue(sensor: string): number | undefined {
    const i = this.channels.findIndex((ch) => ch.name === sensor)
    return i < 0 ? undefined : this.lastClean[i]
  }

  private schedule(): void {
    if (this.stopped) return
    const delay = Math.max(0, this.runStartMs + this.nextRelMs - this.clock.now())
    const spent = this.spent
    this.timer = spent !== undefined && this.clock.setAgain ? this.clock.setAgain(spent, delay) : this.clock.setTimeout(this.tickFn, delay)
  }

  private tick(): void {
    this.spent = this.timer
    this.timer = undefined
    const t = this.nextRelMs
    const elapsed = t - this.lastRelMs
    this.lastRelMs = t
    const producing = this.owner.producing()
    const faulty = this.faults.length > 0
    const reuse = producing && !faulty && this.owner.reusable()
    const clean: Record<string, number> = reuse ? this.scratch.clean : {}
    const channels = this.channels
    for (let i = 0; i < channels.length; i++) clean[channels[i]!.name] = channels[i]!.read(t)
    let sample: Sample | undefined
    if (reuse) {
      sample = this.scratch
      sample.ts = this.clock.now()
      sample.tRelMs = t
    } else if (producing) {
      // Without faults the reported values are the clean ones: no copy (the common case, by far).
      sample = this.applyFaults({ ts: this.clock.now(), tRelMs: t, values: faulty ? { ...clean } : clean, clean, faultIds: faulty ? {} : NO_FAULTS })
    }
    if (producing) for (let i = 0; i < channels.length; i++) this.lastClean[i] = clean[channels[i]!.name]
    this.ticked = true
    this.jitterU = this.jitterRng.next()
    this.nextRelMs = t + this.intervalMs()
    this.owner.ticked(sample, elapsed)
    this.schedule()
  }

  /** Whole milliseconds, so timestamps stay integers in virtual time. */
  private intervalMs(): number {
    return Math.round(this.periodMs * (1 + this.profile.telemetry.jitter * this.jitterU))
  }

  private applyFaults(sample: Sample): Sample {
    if (this.faults.length === 0) return sample
    const finished: ValueFault[] = []
    // Sensors a `raw` fault (unit change) has touched in this sample: their old range no longer applies.
    let raw: Set<string> | undefined
    for (const fault of this.faults) {
      let touched = false
      for (const ch of this.channels) {
        if (fault.sensors && !fault.sensors.has(ch.name)) continue
        const current = sample.values[ch.name]
        if (current === null || current === undefined) continue
        const v = fault.mutate(ch.name, current, ch)
        if (fault.raw) (raw ??= new Set()).add(ch.name)
        // What a real sensor could still report: clamped to its range (unless in another unit), at its precision.
        sample.values[ch.name] = v === null || !Number.isFinite(v) ? v : raw?.has(ch.name) ? roundTo(v, ch.spec.precision) : ch.finish(v)
        ;(sample.faultIds[ch.name] ??= []).push(fault.faultId)
        touched = true
      }
      if (touched && fault.afterSample?.()) finished.push(fault)
    }
    for (const f of finished) {
      this.detach(f.faultId)
      f.onFinished?.()
    }
    return sample
  }
}

function roundTo(v: number, precision: number): number {
  const scale = 10 ** precision
  return Math.round(v * scale) / scale
}
