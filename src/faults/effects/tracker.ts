import type { Clock } from '../../core/index.js'
import type { VirtualDevice } from '../../device/index.js'
import type { FaultKind } from '../fault-kind.js'
import type { FaultLog, FaultRecord } from '../fault-log.js'
import type { PlannedFault } from '../plan.js'
import type { EffectContext, EffectWatch } from './effect.js'

/**
 * Runs the effect watchers of the faults active on this process's devices (see {@link Effect}): one
 * per (cause, device, effect), from the cause's start on the device until the watcher says it is done.
 */
export class EffectTracker {
  /** `${causeId}\0${deviceId}` → the watchers of that cause on that device. */
  private readonly watches = new Map<string, Set<EffectWatch>>()

  constructor(
    private readonly log: FaultLog,
    private readonly clock: Clock,
  ) {}

  /** The cause `p` starts on `device`: starts a watcher per effect its kind lists (before the kind applies). */
  causeStarted(p: PlannedFault, kind: FaultKind, device: VirtualDevice, source: FaultRecord['source']): void {
    if (!kind.effects?.length) return
    const key = `${p.faultId}\u0000${device.id}`
    const set = this.watches.get(key) ?? this.watches.set(key, new Set()).get(key)!
    for (const effect of kind.effects) {
      // The watcher may say it is finished from inside watch(), before it is in the set.
      const held: { watch?: EffectWatch; finishedEarly: boolean } = { finishedEarly: false }
      const ctx: EffectContext = {
        causeId: p.faultId,
        deviceId: device.id,
        entry: p.entry,
        clock: this.clock,
        effectId: (type) => `${p.faultId}/${type}`,
        open: (type, params = {}) => {
          if (!this.log.isActive(ctx.effectId(type), device.id)) this.log.start(ctx.effectId(type), type, device.id, this.clock.now(), params, source, p.faultId)
        },
        close: (type) => {
          const id = ctx.effectId(type)
          // Over the instant it began (a reconnect that took no time): nothing happened, nothing is logged.
          if (this.log.openSince(id, device.id) === this.clock.now()) this.log.discard(id, device.id)
          else this.log.end(id, device.id, this.clock.now())
        },
        isOpen: (type) => this.log.isActive(ctx.effectId(type), device.id),
        finished: () => {
          if (held.watch) set.delete(held.watch)
          else held.finishedEarly = true
          if (set.size === 0 && this.watches.get(key) === set) this.watches.delete(key)
        },
      }
      held.watch = effect.watch(device, ctx)
      if (!held.finishedEarly) set.add(held.watch)
    }
    if (set.size === 0) this.watches.delete(key)
    else this.watches.set(key, set)
  }

  /** The cause has ended on the device (its window, by itself, or undone). */
  causeEnded(causeId: string, deviceId: string): void {
    const set = this.watches.get(`${causeId}\u0000${deviceId}`)
    if (set) for (const w of [...set]) w.causeEnded()
  }

  /** The run stops: every watcher undoes what it did (the log then closes their records, truncated). */
  stop(): void {
    for (const set of this.watches.values()) for (const w of set) w.dispose()
    this.watches.clear()
  }
}
