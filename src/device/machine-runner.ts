import type { AnyActorScope, AnyMachineSnapshot, AnyStateMachine, AnyStateNode, EventObject } from 'xstate'
import type { Clock, TimerHandle } from '../core/index.js'
import { TransitionMemo, type EffectRecord, type MemoEntry } from './transition-memo.js'

/**
 * Runs one XState machine for one device, without an XState Actor: the machine's own logic
 * (`machine.getInitialSnapshot` / `machine.transition`, XState's algorithm, unchanged) driven by a
 * small per-device loop. An Actor brings an actor system per root actor — registries, inspection,
 * a mailbox, observer sets, a scheduler table — about 3 KB of heap each and a third of XState's CPU
 * when ten thousand devices come online at once; a device needs none of it. What it keeps of an
 * Actor's semantics, and what tests hold it to (test/unit/device/machine-runner.test.ts):
 * - actions run during the transition, in XState's order; deferred work (delayed events, cancels)
 *   runs after it, before the snapshot is announced;
 * - events sent while a transition runs (an action sending to its own machine) wait their turn,
 *   in order, as in an Actor's mailbox; events sent before `start()` are kept for it;
 * - delayed transitions (`after`) and delayed `raise`s run on the device's Clock (virtual or real).
 *
 * Devices running the same machine share the transitions one of them computed (see TransitionMemo):
 * the machine's guards, `assign`s and delays must read only its context and the event.
 *
 * Machines that need an actor system — `invoke`, spawned children, `sendTo` — are refused when the
 * runner is made (see {@link assertRunnable}): firmware models are pure by contract (docs/firmware-models.md).
 *
 * Actions receive the runner as `self`; `owner` is what the runner runs for (the device).
 */
export class MachineRunner<TOwner = unknown> {
  private snapshotValue: AnyMachineSnapshot
  private status: 'idle' | 'running' | 'stopped' = 'idle'
  private processing = false
  /** Events waiting for the transition in progress (or for start()). */
  private queue: EventObject[] | undefined
  private readonly deferred: (() => void)[] = []
  /**
   * Delayed events pending (`after` transitions, delayed raises), as XState id / timer pairs: a device
   * has one or two at a time, fewer bytes than a Map. Made on first use.
   */
  private timers: (string | TimerHandle)[] | undefined
  private readonly scope: AnyActorScope
  private readonly memo: TransitionMemo
  /** The effects of the transition being computed, while it may be kept for other devices. */
  private recording: EffectRecord[] | undefined
  /** Identifiers XState reads from `self` (logs, error events); one runner never needs unique ones. */
  readonly id = 'device'
  readonly sessionId = 'device'

  constructor(
    private readonly machine: AnyStateMachine,
    private readonly clock: Clock,
    input: unknown,
    readonly owner: TOwner,
    private readonly onSnapshot: (snapshot: AnyMachineSnapshot) => void,
    private readonly onError: (error: unknown) => void,
  ) {
    this.scope = new RunnerScope(this) as unknown as AnyActorScope
    this.memo = TransitionMemo.of(machine)
    const key = TransitionMemo.inputKey(input)
    const kept = key === undefined ? undefined : this.memo.initialFor(key)
    if (kept) {
      this.snapshotValue = kept.snapshot
      this.replayInitial(kept.effects)
      return
    }
    try {
      this.recording = key === undefined ? undefined : []
      const initial = machine.getInitialSnapshot(this.scope, input) as AnyMachineSnapshot
      this.snapshotValue = (this.recording && key !== undefined && this.memo.keepInitial(key, initial, this.recording)) || initial
    } catch (error) {
      this.snapshotValue = { status: 'error', error } as unknown as AnyMachineSnapshot
    } finally {
      this.recording = undefined
    }
  }

  getSnapshot(): AnyMachineSnapshot {
    return this.snapshotValue
  }

  /** Enters the initial state: runs its entry actions and arms its timers, then takes queued events. */
  start(): void {
    if (this.status !== 'idle') return
    if (this.snapshotValue.status === 'error') return this.fail((this.snapshotValue as { error?: unknown }).error)
    this.status = 'running'
    this.step(() => this.commit(this.snapshotValue))
    this.drain()
  }

  /** Processes `event` now, or after the transition in progress. Ignored once stopped. */
  send(event: EventObject): void {
    if (this.status === 'stopped') return
    if (this.processing || this.status === 'idle') {
      ;(this.queue ??= []).push(event)
      return
    }
    this.process(event)
    this.drain()
  }

  /** Cancels pending delayed events; later events are ignored. */
  stop(): void {
    if (this.status === 'stopped') return
    this.status = 'stopped'
    this.queue = undefined
    this.cancelAll()
  }

  private drain(): void {
    const queue = this.queue
    if (queue === undefined) return
    while (queue.length > 0 && this.status === 'running') this.process(queue.shift()!)
  }

  private process(event: EventObject): void {
    const from = this.snapshotValue
    const kept = TransitionMemo.sharable(event) ? this.memo.from(from) : undefined
    const entry = kept?.get(event.type)
    if (entry) return this.step(() => this.replay(entry))
    if (!kept) return this.step(() => this.commit(this.machine.transition(from, event, this.scope) as AnyMachineSnapshot))
    // Computed here first: recorded, and kept for the other devices in this snapshot once it succeeds.
    this.recording = []
    try {
      this.step(() => {
        const next = this.machine.transition(from, event, this.scope) as AnyMachineSnapshot
        const effects = this.recording
        this.recording = undefined
        this.commit((effects && this.memo.keep(kept, event.type, next, effects)) || next)
      })
    } finally {
      this.recording = undefined
    }
  }

  /** Does what a kept transition did, as this device: its actions now, its timers when it commits. */
  private replay(entry: MemoEntry): void {
    for (const e of entry.effects) {
      if (e.kind === 'action') e.exec({ context: e.context, event: e.event, self: this, system: SYSTEM }, e.params)
      else if (e.kind === 'schedule') this.deferred.push(() => this.schedule(e.event, e.delayMs, e.id))
      else this.deferred.push(() => this.cancel(e.id))
    }
    this.commit(entry.snapshot)
  }

  /**
   * A kept initial state's entry effects, run at start() as an initial state's are: its actions in
   * order, and the timers they arm after them (XState defers those once more).
   */
  private replayInitial(effects: readonly EffectRecord[]): void {
    for (const e of effects) {
      if (e.kind === 'action') this.deferred.push(() => e.exec({ context: e.context, event: e.event, self: this, system: SYSTEM }, e.params))
      else if (e.kind === 'schedule') this.deferred.push(() => void this.deferred.push(() => this.schedule(e.event, e.delayMs, e.id)))
      else this.deferred.push(() => void this.deferred.push(() => this.cancel(e.id)))
    }
  }

  private step(run: () => void): void {
    this.processing = true
    try {
      run()
    } catch (error) {
      this.fail(error)
    } finally {
      this.processing = false
    }
  }

  /** A throwing action or guard stops this machine, as an Actor goes to 'error'; the owner decides what that means. */
  private fail(error: unknown): void {
    this.deferred.length = 0
    this.snapshotValue = { ...this.snapshotValue, status: 'error', error } as AnyMachineSnapshot
    this.stop()
    this.onError(error)
  }

  private commit(snapshot: AnyMachineSnapshot): void {
    this.snapshotValue = snapshot
    const deferred = this.deferred
    if (this.status === 'stopped') {
      // Stopped by one of its own actions: nothing more is armed or announced.
      deferred.length = 0
      return
    }
    for (let i = 0; i < deferred.length; i++) deferred[i]!()
    deferred.length = 0
    this.onSnapshot(snapshot)
    if (snapshot.status !== 'active') this.stop()
  }

  /** @internal XState's scheduler, for this runner's own delayed events. */
  schedule(event: EventObject, delayMs: number, id: string): void {
    if (this.status === 'stopped') return
    this.cancel(id)
    const timers = (this.timers ??= [])
    const handle = this.clock.setTimeout(() => {
      const i = timers.indexOf(handle)
      if (i >= 0) timers.splice(i - 1, 2)
      this.send(event)
    }, delayMs)
    timers.push(id, handle)
  }

  /** @internal */
  cancel(id: string): void {
    const timers = this.timers
    if (!timers) return
    for (let i = 0; i < timers.length; i += 2) {
      if (timers[i] !== id) continue
      this.clock.clearTimeout(timers[i + 1])
      timers.splice(i, 2)
      return
    }
  }

  /** @internal */
  cancelAll(): void {
    const timers = this.timers
    if (!timers) return
    for (let i = 1; i < timers.length; i += 2) this.clock.clearTimeout(timers[i])
    timers.length = 0
  }

  /** @internal XState's action executor: actions run as they are resolved, once started. */
  execute(action: ExecutableAction): void {
    if (this.recording) this.record(action)
    if (!action.exec) return
    // Before start (the initial state's entry actions) they wait for start(), as in an Actor.
    if (this.status === 'running') action.exec(action.info, action.params)
    else this.deferred.push(() => action.exec!(action.info, action.params))
  }

  /** @internal */
  defer(fn: () => void): void {
    this.deferred.push(fn)
  }

  /** Notes an action of the transition being computed; one that cannot be replayed means it is not kept. */
  private record(action: ExecutableAction): void {
    const type = action.type
    if (type === 'xstate.raise') {
      const p = action.params as { event: EventObject; delay?: number; id: string }
      // An immediate raise is part of the transition itself; only a delayed one arms a timer.
      if (typeof p.delay === 'number') this.recording!.push({ kind: 'schedule', event: p.event, delayMs: p.delay, id: p.id })
    } else if (type === 'xstate.cancel') this.recording!.push({ kind: 'cancel', id: (action.params as { sendId: string }).sendId })
    else if (type === 'xstate.log' || type === 'xstate.emit') return // nothing happens in a runner
    else if (type.startsWith('xstate.')) this.recording = undefined
    else if (action.exec) {
      const info = action.info as { context: unknown; event: EventObject }
      this.recording!.push({ kind: 'action', exec: action.exec, context: info.context, event: info.event, params: action.params })
    }
  }
}

interface ExecutableAction {
  type: string
  exec?: (info: unknown, params: unknown) => void
  info: unknown
  params: unknown
}

/**
 * What XState's algorithm and built-in actions read from an actor (its `ActorScope`), for one runner:
 * methods on a prototype rather than closures per device.
 */
class RunnerScope {
  readonly id = 'device'
  readonly sessionId = 'device'
  readonly system = SYSTEM
  /** A function of its own: XState's microstep wraps it and calls the original unbound. */
  actionExecutor: (action: ExecutableAction) => void
  constructor(readonly self: MachineRunner) {
    this.actionExecutor = (action) => self.execute(action)
  }
  logger(): void {}
  emit(): void {}
  defer(fn: () => void): void {
    this.self.defer(fn)
  }
  stopChild(): never {
    throw unsupported('stopping a child actor')
  }
}

/** The actor system XState's built-in actions reach through a scope, shared by every runner: there is none behind it. */
const SYSTEM = {
  scheduler: {
    schedule(source: MachineRunner, target: unknown, event: EventObject, delay: number, id: string): void {
      if (target !== source) throw unsupported('a delayed sendTo another actor')
      source.schedule(event, delay, id)
    },
    cancel(source: MachineRunner, id: string): void {
      source.cancel(id)
    },
    cancelAll(source: MachineRunner): void {
      source.cancelAll()
    },
  },
  _sendInspectionEvent(): void {},
  _relay(source: MachineRunner, target: unknown, event: EventObject): void {
    if (target !== source) throw unsupported('sendTo another actor')
    source.send(event)
  },
  _bookId(): never {
    throw unsupported('spawning a child actor')
  },
  _register(): void {},
  _unregister(): void {},
  _set(): void {},
  get: (): undefined => undefined,
  getAll: () => ({}),
  inspect: () => ({ unsubscribe(): void {} }),
  start(): void {},
  _logger(): void {},
}


function unsupported(what: string): Error {
  return new Error(`${what} is not supported in a device's machines: firmware models are pure (no invoke, spawn or sendTo; docs/firmware-models.md)`)
}

/**
 * Throws if `machine` needs an actor system (a state with `invoke`): the runner cannot run it. Called
 * once per machine, before any device runs it.
 */
export function assertRunnable(machine: AnyStateMachine): void {
  const visit = (node: AnyStateNode): void => {
    if (node.invoke.length > 0) throw unsupported(`invoke (state "${node.id}" of machine "${machine.id}")`)
    for (const child of Object.values(node.states)) visit(child)
  }
  visit(machine.root)
}
