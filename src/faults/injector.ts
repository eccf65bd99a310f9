import { deriveStream, type Clock, type TimerHandle } from '../core/index.js'
import type { VirtualDevice } from '../device/index.js'
import type { BrokerControl } from './broker-control.js'
import type { FaultRecord } from './fault-log.js'
import { FaultLog } from './fault-log.js'
import { EffectTracker } from './effects/tracker.js'
import type { ApplyContext, FaultEntry } from './fault-kind.js'
import type { PlannedFault } from './plan.js'
import { faultKinds } from './registry.js'

export interface InjectorHooks {
  faultStarted(kind: string, faultId: string, devices: number): void
  faultEnded(kind: string, faultId: string): void
  /** A planned fault that cannot run here (e.g. a broker fault with an external broker). */
  faultSkipped(kind: string, faultId: string, reason: string): void
}

export interface InjectorOptions {
  seed: number
  /** The embedded broker's controls, when the fleet runs one. */
  broker?: BrokerControl
  /** Keep closed fault-log records in memory (default true; see {@link FaultLog}). */
  keepRecords?: boolean
}

/**
 * Applies a fault plan on the clock: at each occurrence's start it runs the kind's `begin` (once) and
 * `apply` on every targeted device of this process, opening a log record per device; at its end (or
 * when a self-ending fault says so) it undoes and closes them.
 */
export class FaultInjector {
  readonly log: FaultLog
  private readonly effects: EffectTracker
  private readonly timers = new Set<TimerHandle>()
  /** `${faultId}\0${deviceId}` → undo; `${faultId}\0` → the occurrence's begin undo. */
  private readonly undo = new Map<string, () => void>()
  /** Devices still under each fault, to report when a fault has ended everywhere. */
  private readonly remaining = new Map<string, number>()
  private stopped = false

  constructor(
    private readonly clock: Clock,
    private readonly runStartMs: number,
    private readonly devices: ReadonlyMap<string, VirtualDevice>,
    private readonly hooks: InjectorHooks,
    private readonly opts: InjectorOptions,
  ) {
    this.log = new FaultLog({ retain: opts.keepRecords })
    this.effects = new EffectTracker(this.log, clock)
  }

  /** Schedules planned faults relative to the run start. */
  schedule(plan: readonly PlannedFault[], source: FaultRecord['source'] = 'plan'): void {
    for (const p of plan) {
      this.later(this.runStartMs + p.startMs, () => this.begin(p, source))
      if (p.endMs !== undefined) this.later(this.runStartMs + p.endMs, () => this.finish(p))
    }
  }

  /** Stops every active fault now, closing their records as truncated. */
  stop(): void {
    this.stopped = true
    for (const t of this.timers) this.clock.clearTimeout(t)
    this.timers.clear()
    for (const fn of this.undo.values()) fn()
    this.undo.clear()
    this.effects.stop()
    this.log.closeAll(this.clock.now())
  }

  private later(atMs: number, fn: () => void): void {
    const handle = this.clock.setTimeout(() => {
      this.timers.delete(handle)
      fn()
    }, atMs - this.clock.now())
    this.timers.add(handle)
  }

  private begin(p: PlannedFault, source: FaultRecord['source']): void {
    if (this.stopped) return
    const kind = faultKinds[p.kind]!
    if (kind.needsEmbeddedBroker && !this.opts.broker) {
      this.hooks.faultSkipped(p.kind, p.faultId, 'needs the embedded broker (the fleet uses an external one)')
      return
    }
    const local = p.deviceIds.filter((id) => this.devices.has(id)) // other shards' devices are not ours
    const now = this.clock.now()
    if (kind.begin) {
      this.undo.set(`${p.faultId}\u0000`, kind.begin(p.entry, { faultId: p.faultId, deviceIds: local, durationMs: p.entry.duration, clock: this.clock, broker: this.opts.broker }))
    }
    const params = paramsOf(p.entry)
    const endMs = p.endMs === undefined ? undefined : this.runStartMs + p.endMs
    this.remaining.set(p.faultId, local.length)
    for (const id of local) {
      const key = `${p.faultId}\u0000${id}`
      this.log.start(p.faultId, p.kind, id, now, params, source)
      const ctx: ApplyContext = {
        faultId: p.faultId,
        deviceId: id,
        startMs: now,
        endMs,
        clock: this.clock,
        broker: this.opts.broker,
        intensity: () => {
          const ramp = p.entry.ramp
          return ramp === undefined || ramp <= 0 ? 1 : Math.min(1, Math.max(0, (this.clock.now() - now) / ramp))
        },
        rng: (purpose) => deriveStream(this.opts.seed, `fault:${p.faultId}:${id}`, purpose),
        done: () => {
          this.undo.get(key)?.()
          this.undo.delete(key)
          if (this.log.end(p.faultId, id, this.clock.now())) {
            this.effects.causeEnded(p.faultId, id)
            this.endedOne(p)
          }
        },
      }
      const device = this.devices.get(id)!
      // Watchers first: an effect may follow at once from the kind's action (a dropped link).
      this.effects.causeStarted(p, kind, device, source)
      const undo = kind.apply(device, p.entry, ctx)
      if (this.log.isActive(p.faultId, id)) this.undo.set(key, undo)
    }
    if (local.length > 0) this.hooks.faultStarted(p.kind, p.faultId, local.length)
    else this.endBegin(p)
  }

  private endedOne(p: PlannedFault): void {
    const left = (this.remaining.get(p.faultId) ?? 1) - 1
    this.remaining.set(p.faultId, left)
    if (left === 0) {
      this.endBegin(p)
      this.hooks.faultEnded(p.kind, p.faultId)
    }
  }

  private endBegin(p: PlannedFault): void {
    const key = `${p.faultId}\u0000`
    this.undo.get(key)?.()
    this.undo.delete(key)
  }

  private finish(p: PlannedFault): void {
    if (this.stopped) return
    for (const id of p.deviceIds) {
      const key = `${p.faultId}\u0000${id}`
      const undo = this.undo.get(key)
      if (!undo) continue
      this.undo.delete(key)
      undo()
      this.log.end(p.faultId, id, this.clock.now())
      this.effects.causeEnded(p.faultId, id)
      this.endedOne(p)
    }
    this.endBegin(p)
  }
}

function paramsOf(entry: FaultEntry): Record<string, unknown> {
  const { id: _id, kind: _kind, at: _at, target: _target, ...rest } = entry
  return rest
}
