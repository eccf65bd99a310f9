import type { AnyMachineSnapshot, AnyStateMachine, EventObject } from 'xstate'

/**
 * What a transition did besides moving to its next snapshot, in order, so another device in the same
 * snapshot can do it too without XState computing the transition again:
 * - `action`: a named or inline action (a side effect) with the context, event and params it ran with;
 * - `schedule` / `cancel`: a delayed event armed (an `after` transition, a delayed `raise`) or cancelled.
 */
export type EffectRecord =
  | { kind: 'action'; exec: (info: unknown, params: unknown) => void; context: unknown; event: EventObject; params: unknown }
  | { kind: 'schedule'; event: EventObject; delayMs: number; id: string }
  | { kind: 'cancel'; id: string }

export interface MemoEntry {
  snapshot: AnyMachineSnapshot
  effects: readonly EffectRecord[]
}

/**
 * Transitions already computed for one machine, shared by every device that runs it.
 *
 * XState's snapshots are immutable, and a device machine's outcome is a function of its snapshot and
 * the event: guards, `assign`s and delays read only context and event (the contract of a firmware
 * model, docs/firmware-models.md; the device machine keeps to it too). So when ten thousand devices of
 * one profile boot and connect, the first computes each transition and the rest replay it: they share
 * the snapshots (one per state and context, not one per device) and run the recorded effects as their
 * own. XState's algorithm allocates ~20 KB per transition of the parallel device machine; a replay
 * allocates next to nothing, and a device's machines cost ~1 KB of heap instead of ~2.5 KB.
 *
 * Only transitions between shared snapshots are kept: from the initial one (per input) and from what
 * such transitions led to, for events that carry nothing but their `type`. An event with a payload
 * (a `command.ota`, say) is computed as usual, and its result is that device's own; its later
 * transitions are computed too. Shared snapshots are canonical — one object per state value, context
 * and history, however a device got there — so what is kept is bounded by the states the fleet's
 * devices are in, not by the paths they took (a reconnect wave reaches the `online` it left).
 */
export class TransitionMemo {
  private readonly initial = new Map<string, MemoEntry>()
  /** Kept transitions from each shared snapshot, by event type. */
  private readonly next = new Map<AnyMachineSnapshot, Map<string, MemoEntry>>()
  private readonly canonical = new Map<string, AnyMachineSnapshot>()

  private static readonly byMachine = new WeakMap<AnyStateMachine, TransitionMemo>()

  /** The memo of `machine` (one per machine object: per firmware model as provided once for all devices). */
  static of(machine: AnyStateMachine): TransitionMemo {
    let memo = TransitionMemo.byMachine.get(machine)
    if (!memo) TransitionMemo.byMachine.set(machine, (memo = new TransitionMemo()))
    return memo
  }

  /** The key of an initial snapshot: its input as JSON (undefined when the input is not plain data). */
  static inputKey(input: unknown): string | undefined {
    return input === undefined ? '' : plainKey(input)
  }

  /** Whether transitions on `event` can be shared: it carries nothing but its type. */
  static sharable(event: EventObject): boolean {
    for (const key in event) if (key !== 'type') return false
    return true
  }

  initialFor(key: string): MemoEntry | undefined {
    return this.initial.get(key)
  }

  /**
   * Keeps an initial snapshot and its effects; returns the snapshot to use (the canonical one), or
   * undefined when it cannot be shared (its context is not plain data).
   */
  keepInitial(key: string, snapshot: AnyMachineSnapshot, effects: readonly EffectRecord[]): AnyMachineSnapshot | undefined {
    const shared = this.share(snapshot)
    if (shared) this.initial.set(key, { snapshot: shared, effects })
    return shared
  }

  /** Transitions kept from `snapshot`, by event type; undefined when `snapshot` is not a shared one. */
  from(snapshot: AnyMachineSnapshot): Map<string, MemoEntry> | undefined {
    return this.next.get(snapshot)
  }

  /** Keeps a transition from a shared snapshot; returns the snapshot to move to (the canonical one), or undefined when it cannot be shared. */
  keep(from: Map<string, MemoEntry>, eventType: string, snapshot: AnyMachineSnapshot, effects: readonly EffectRecord[]): AnyMachineSnapshot | undefined {
    const shared = this.share(snapshot)
    if (shared) from.set(eventType, { snapshot: shared, effects })
    return shared
  }

  /** The canonical snapshot equal to `snapshot` (it, when it is the first such), made a shared one. */
  private share(snapshot: AnyMachineSnapshot): AnyMachineSnapshot | undefined {
    const key = snapshotKey(snapshot)
    if (key === undefined) return undefined
    let shared = this.canonical.get(key)
    if (!shared) {
      this.canonical.set(key, (shared = snapshot))
      this.next.set(shared, new Map())
    }
    return shared
  }
}

/**
 * What makes two snapshots of one machine the same: status, state value, context and history (by
 * state node id). Undefined when that is not plain data — a context holding a Map, a Date, a
 * function or a cycle — or when the snapshot holds child actors.
 */
function snapshotKey(s: AnyMachineSnapshot): string | undefined {
  if (Object.keys(s.children).length > 0) return undefined
  const history: Record<string, string[]> = {}
  for (const [id, nodes] of Object.entries(s.historyValue)) history[id] = nodes.map((n) => n.id)
  return plainKey([s.status, s.value, s.context, history])
}

/** `value` as JSON if it is plain data, else undefined. */
function plainKey(value: unknown): string | undefined {
  try {
    return JSON.stringify(value, plainOnly)
  } catch {
    return undefined
  }
}

class NotPlainData extends Error {}

/** JSON of plain data only, with what JSON would blur kept apart: undefined, NaN, ±Infinity, −0. */
function plainOnly(this: unknown, key: string, value: unknown): unknown {
  // JSON.stringify hands a Date to its toJSON before the replacer: look at the holder's own value.
  const raw = key === '' ? value : (this as Record<string, unknown>)[key]
  switch (typeof raw) {
    case 'undefined':
      return { '\u0000': 'undefined' }
    case 'number':
      return Number.isFinite(raw) && !Object.is(raw, -0) ? raw : { '\u0000': String(Object.is(raw, -0) ? '-0' : raw) }
    case 'string':
    case 'boolean':
      return raw
    case 'object': {
      if (raw === null || Array.isArray(raw)) return raw
      const proto = Object.getPrototypeOf(raw) as unknown
      if (proto === Object.prototype || proto === null) return raw
      throw new NotPlainData()
    }
    default:
      throw new NotPlainData()
  }
}
