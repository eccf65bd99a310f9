import type { Clock, TimerHandle } from '../core/index.js'
import type { VirtualDevice } from '../device/index.js'
import type { FaultRecord } from './fault-log.js'
import { FaultLog } from './fault-log.js'
import type { FaultEntry } from './fault-kind.js'
import type { PlannedFault } from './plan.js'
import { faultKinds } from './registry.js'

export interface InjectorHooks {
  faultStarted(kind: string, faultId: string, devices: number): void
  faultEnded(kind: string, faultId: string): void
}

/**
 * Applies a fault plan on the clock: at each fault's start it applies the kind to every targeted device
 * and opens a log record; at its end (or when a self-ending fault says so) it undoes and closes it.
 */
export class FaultInjector {
  readonly log = new FaultLog()
  private readonly timers = new Set<TimerHandle>()
  private readonly undo = new Map<string, () => void>()
  /** Devices still under each fault, to report when a fault has ended everywhere. */
  private readonly remaining = new Map<string, number>()
  private stopped = false

  constructor(
    private readonly clock: Clock,
    private readonly runStartMs: number,
    private readonly devices: ReadonlyMap<string, VirtualDevice>,
    private readonly hooks: InjectorHooks,
  ) {}

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
    const params = paramsOf(p.entry)
    let applied = 0
    for (const id of p.deviceIds) {
      const device = this.devices.get(id)
      if (!device) continue // another shard's device
      const key = `${p.faultId}\u0000${id}`
      this.log.start(p.faultId, p.kind, id, this.clock.now(), params, source)
      const undo = kind.apply(device, p.entry, {
        faultId: p.faultId,
        done: () => {
          this.undo.get(key)?.()
          this.undo.delete(key)
          this.log.end(p.faultId, id, this.clock.now())
          this.endedOne(p)
        },
      })
      if (this.log.isActive(p.faultId, id)) this.undo.set(key, undo)
      applied++
    }
    this.remaining.set(p.faultId, applied)
    if (applied > 0) this.hooks.faultStarted(p.kind, p.faultId, applied)
  }

  private endedOne(p: PlannedFault): void {
    const left = (this.remaining.get(p.faultId) ?? 1) - 1
    this.remaining.set(p.faultId, left)
    if (left === 0) this.hooks.faultEnded(p.kind, p.faultId)
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
      this.endedOne(p)
    }
  }
}

function paramsOf(entry: FaultEntry): Record<string, unknown> {
  const { id: _id, kind: _kind, at: _at, target: _target, ...rest } = entry
  return rest
}
