/**
 * All time in fleet-emu goes through a Clock (DESIGN.md, "Time and randomness"). This is the only
 * module allowed to read wall time or create host timers.
 *
 * The interface is a superset of XState v5's `Clock` (`setTimeout`/`clearTimeout`), so a Clock can be
 * passed as `createActor(machine, { clock })`.
 */
export type TimerHandle = unknown

export interface Clock {
  /** Current time on this clock, as epoch milliseconds. */
  now(): number
  setTimeout(fn: () => void, delayMs: number): TimerHandle
  clearTimeout(handle: TimerHandle): void
  /**
   * Optional: sets a timer that has fired (or was cleared) once more, with the same callback, as
   * `setTimeout` would (same order among timers); never for one still pending. Only for a handle its
   * caller owns alone (nobody else may clear it); use the handle it returns from then on. Both clocks
   * reuse the timer (a RealClock re-arms the Node timer), so a timer set again per sample allocates
   * nothing.
   */
  setAgain?(handle: TimerHandle, delayMs: number): TimerHandle
}

/** Monotonic wall time in ms for measurements (durations, rates); unaffected by clock speed. */
export function monotonicMs(): number {
  return performance.now()
}

/** Wall-clock epoch ms; for run metadata (output folder names, report timestamps) only. */
export function wallEpochMs(): number {
  return Date.now()
}

/** A clock reading (`epochMs` at hires epoch time `hiresMs`) and speed, to align clocks across threads. */
export interface ClockAnchor {
  speed: number
  epochMs: number
  hiresMs: number
}

/**
 * Wall time, optionally scaled: with `speed: 10`, ten clock seconds pass per wall second and timers
 * fire ten times sooner. Used by live runs (`--speed`).
 */
export class RealClock implements Clock {
  readonly speed: number
  private readonly epochAtStart: number
  private readonly monoAtStart: number

  /**
   * `anchor` (from another thread's clock's `anchor()`) makes this clock read the same time as that
   * one: device shards in worker threads share the fleet's run clock.
   */
  constructor(opts: { speed?: number; epochMs?: number; anchor?: ClockAnchor } = {}) {
    this.speed = opts.anchor?.speed ?? opts.speed ?? 1
    if (!(this.speed > 0)) throw new RangeError(`clock speed must be > 0, got ${this.speed}`)
    if (opts.anchor) {
      // performance.now() counts from each thread's own origin; hires epoch time is common to all.
      this.monoAtStart = performance.now()
      this.epochAtStart = opts.anchor.epochMs + (hiresEpochMs() - opts.anchor.hiresMs) * this.speed
    } else {
      this.epochAtStart = opts.epochMs ?? Date.now()
      this.monoAtStart = performance.now()
    }
  }

  /** What another thread needs to build a clock that reads the same as this one. */
  anchor(): ClockAnchor {
    return { speed: this.speed, epochMs: this.epochAtStart + (performance.now() - this.monoAtStart) * this.speed, hiresMs: hiresEpochMs() }
  }

  now(): number {
    return Math.floor(this.epochAtStart + (performance.now() - this.monoAtStart) * this.speed)
  }

  setTimeout(fn: () => void, delayMs: number): TimerHandle {
    const handle = setTimeout(fn, Math.max(0, delayMs) / this.speed)
    // Not Node's Timeout (fake timers in a test, another runtime): wrapped, so setAgain has the callback.
    if (typeof (handle as unknown as Partial<NodeTimer> | undefined)?._idleTimeout !== 'number') return new ForeignTimer(handle, fn)
    return handle
  }

  /**
   * A device's sampler sets its timer again every sample: re-arming the fired Node timer (refresh,
   * with the new delay) instead of making a new one keeps a timer object per device for the run
   * rather than one per sample, each of which lives a whole period and so reaches the old
   * generation as garbage. `_idleTimeout` is the delay refresh() re-arms with (Node's own field, as
   * `timers.enroll` set it); a handle that is not Node's Timeout gets a new timer, as setTimeout would.
   */
  setAgain(handle: TimerHandle, delayMs: number): TimerHandle {
    if (handle instanceof ForeignTimer) {
      clearTimeout(handle.host as ReturnType<typeof setTimeout>)
      handle.host = setTimeout(handle.fn, Math.max(0, delayMs) / this.speed)
      return handle
    }
    const timer = handle as NodeTimer
    // Cleared with the global clearTimeout rather than this clock's: the callback is gone.
    if (typeof timer._onTimeout !== 'function') throw new Error('RealClock.setAgain: the timer was cleared outside this clock (its callback is gone)')
    // Node's own rule for a delay: 1 ms unless it is a number from 1 to 2^31 - 1.
    const ms = delayMs / this.speed
    timer._idleTimeout = ms >= 1 && ms <= 2 ** 31 - 1 ? ms : 1
    timer.refresh()
    return timer
  }

  clearTimeout(handle: TimerHandle): void {
    if (handle instanceof ForeignTimer) return clearTimeout(handle.host as ReturnType<typeof setTimeout>)
    const timer = handle as NodeTimer | undefined
    const fn = timer?._onTimeout
    clearTimeout(handle as ReturnType<typeof setTimeout>)
    // Node drops a cleared timer's callback; kept, so setAgain can arm the timer again.
    if (fn && timer) timer._onTimeout = fn
  }
}

/** A host timer that is not Node's Timeout, with its callback (for setAgain). */
class ForeignTimer {
  constructor(
    public host: unknown,
    readonly fn: () => void,
  ) {}
}

/** The fields of Node's Timeout that setAgain uses. */
interface NodeTimer {
  _idleTimeout: number
  _onTimeout: (() => void) | null
  refresh(): void
}

/** A timer in a clock's heap, ordered by (deadline, seq): equal deadlines fire in the order set. */
interface QueuedTimer {
  deadline: number
  seq: number
  fn: () => void
  cancelled: boolean
  /** In the heap (cancelled timers stay there until they reach the top). */
  queued: boolean
}

// The heap moves a hole instead of swapping pairs: a dataset pushes and pops a timer per sample.
function heapPush(h: QueuedTimer[], t: QueuedTimer): void {
  let i = h.length
  h.push(t)
  while (i > 0) {
    const parent = (i - 1) >> 1
    const p = h[parent]!
    if (p.deadline < t.deadline || (p.deadline === t.deadline && p.seq < t.seq)) break
    h[i] = p
    i = parent
  }
  h[i] = t
}

function heapPop(h: QueuedTimer[]): QueuedTimer | undefined {
  const top = h[0]
  if (top) top.queued = false
  const last = h.pop()
  const n = h.length
  if (n > 0 && last) {
    let i = 0
    for (;;) {
      let m = 2 * i + 1
      if (m >= n) break
      let c = h[m]!
      const r = m + 1
      if (r < n) {
        const rc = h[r]!
        if (rc.deadline < c.deadline || (rc.deadline === c.deadline && rc.seq < c.seq)) {
          m = r
          c = rc
        }
      }
      if (last.deadline < c.deadline || (last.deadline === c.deadline && last.seq < c.seq)) break
      h[i] = c
      i = m
    }
    h[i] = last
  }
  return top
}

/**
 * Discrete-event clock. Timers live in a binary heap ordered by (deadline, sequence number); running
 * the clock pops one timer at a time, sets `now` to its deadline and fires it, so timers with the same
 * deadline fire in the order they were set — the tie-breaker that makes runs reproducible.
 *
 * @example
 * const clock = new VirtualClock({ epochMs: Date.UTC(2026, 0, 1) })
 * clock.setTimeout(() => console.log(clock.now()), 1000)
 * clock.advanceBy(5000) // fires the timer at epoch + 1000, ends at epoch + 5000
 */
export class VirtualClock implements Clock {
  private current: number
  private seq = 0
  private heap: QueuedTimer[] = []
  private live = 0

  constructor(opts: { epochMs?: number } = {}) {
    this.current = opts.epochMs ?? 0
  }

  now(): number {
    return this.current
  }

  /** Timers set and not yet fired or cleared. */
  get pending(): number {
    return this.live
  }

  setTimeout(fn: () => void, delayMs: number): TimerHandle {
    return this.arm({ deadline: 0, seq: 0, fn, cancelled: false, queued: false }, delayMs)
  }

  setAgain(handle: TimerHandle, delayMs: number): TimerHandle {
    const timer = handle as QueuedTimer
    // Still in the heap (pending, or cleared and not yet dropped): it cannot be pushed twice.
    return timer.queued ? this.setTimeout(timer.fn, delayMs) : this.arm(timer, delayMs)
  }

  private arm(timer: QueuedTimer, delayMs: number): QueuedTimer {
    // A NaN deadline would never compare as due: the run would spin forever instead of failing.
    if (Number.isNaN(delayMs)) throw new RangeError('VirtualClock: timer delay is NaN')
    timer.deadline = this.current + Math.max(0, delayMs)
    timer.seq = this.seq++
    timer.cancelled = false
    timer.queued = true
    heapPush(this.heap, timer)
    this.live++
    return timer
  }

  clearTimeout(handle: TimerHandle): void {
    const timer = handle as QueuedTimer | undefined
    if (timer && !timer.cancelled) {
      timer.cancelled = true
      this.live--
    }
  }

  /** Deadline of the next live timer, or undefined when none is pending. */
  nextDeadline(): number | undefined {
    this.dropCancelledTop()
    return this.heap[0]?.deadline
  }

  /** Fires the next timer, if any; returns false when nothing is pending. */
  step(): boolean {
    this.dropCancelledTop()
    const timer = heapPop(this.heap)
    if (!timer) return false
    this.live--
    timer.cancelled = true
    this.current = timer.deadline
    timer.fn()
    return true
  }

  /** Fires every timer due at or before `epochMs` (including ones set while running), then sets now to it. */
  runUntil(epochMs: number): number {
    let fired = 0
    const h = this.heap
    // step() inlined: this loop fires every timer of a virtual-time run.
    for (;;) {
      const timer = h[0]
      if (timer === undefined) break
      if (timer.cancelled) {
        heapPop(this.heap)
        continue
      }
      if (timer.deadline > epochMs) break
      heapPop(this.heap)
      this.live--
      timer.cancelled = true
      this.current = timer.deadline
      timer.fn()
      fired++
    }
    if (epochMs > this.current) this.current = epochMs
    return fired
  }

  advanceBy(ms: number): number {
    return this.runUntil(this.current + ms)
  }

  private dropCancelledTop(): void {
    while (this.heap.length > 0 && this.heap[0]!.cancelled) heapPop(this.heap)
  }
}

/**
 * High-resolution wall time in epoch ms (sub-millisecond), comparable across threads of one process:
 * each thread's `performance.timeOrigin + performance.now()`. For latency measured between a device
 * in one thread and a broker in another.
 */
export function hiresEpochMs(): number {
  return performance.timeOrigin + performance.now()
}
