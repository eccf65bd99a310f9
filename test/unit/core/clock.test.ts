import { afterEach, describe, expect, it, vi } from 'vitest'
import { createActor, createMachine } from 'xstate'
import { RealClock, VirtualClock } from '../../../src/core/clock.js'
import { deriveStream } from '../../../src/core/rng.js'

const EPOCH = Date.UTC(2026, 0, 1)

describe('VirtualClock', () => {
  it('starts at the given epoch (0 by default) and does not move on its own', () => {
    expect(new VirtualClock().now()).toBe(0)
    const clock = new VirtualClock({ epochMs: EPOCH })
    expect(clock.now()).toBe(EPOCH)
    clock.setTimeout(() => {}, 1000)
    expect(clock.now()).toBe(EPOCH)
  })

  it('fires timers in deadline order and sets now() to each deadline before firing', () => {
    const clock = new VirtualClock({ epochMs: EPOCH })
    const fired: Array<[string, number]> = []
    for (const [name, delay] of [['c', 300], ['a', 100], ['d', 400], ['b', 200]] as const) {
      clock.setTimeout(() => fired.push([name, clock.now() - EPOCH]), delay)
    }
    clock.advanceBy(1000)
    expect(fired).toEqual([['a', 100], ['b', 200], ['c', 300], ['d', 400]])
  })

  it('fires timers with the same deadline in the order they were set (FIFO)', () => {
    const clock = new VirtualClock()
    const fired: number[] = []
    for (let i = 0; i < 100; i++) clock.setTimeout(() => fired.push(i), 500)
    clock.advanceBy(500)
    expect(fired).toEqual(Array.from({ length: 100 }, (_, i) => i))
  })

  it('orders by (deadline, sequence) across many interleaved timers', () => {
    const clock = new VirtualClock()
    const rng = deriveStream(7, 'clock-test', 'deadlines')
    const set: Array<{ seq: number; deadline: number }> = []
    const fired: number[] = []
    for (let seq = 0; seq < 2000; seq++) {
      const delay = rng.int(0, 50) * 10 // many ties on purpose
      set.push({ seq, deadline: delay })
      clock.setTimeout(() => fired.push(seq), delay)
    }
    clock.advanceBy(10_000)
    const expected = [...set].sort((x, y) => x.deadline - y.deadline || x.seq - y.seq).map((t) => t.seq)
    expect(fired).toEqual(expected)
  })

  it('clearTimeout cancels a timer, once; clearing a fired timer or an unknown handle does nothing', () => {
    const clock = new VirtualClock()
    const fn = vi.fn()
    const keep = vi.fn()
    const h = clock.setTimeout(fn, 100)
    const k = clock.setTimeout(keep, 200)
    expect(clock.pending).toBe(2)
    clock.clearTimeout(h)
    clock.clearTimeout(h)
    expect(clock.pending).toBe(1)
    clock.advanceBy(1000)
    expect(fn).not.toHaveBeenCalled()
    expect(keep).toHaveBeenCalledOnce()
    clock.clearTimeout(k) // already fired
    clock.clearTimeout(undefined)
    expect(clock.pending).toBe(0)
  })

  it('fires timers set while running when they fall within runUntil, and leaves later ones pending', () => {
    const clock = new VirtualClock()
    const fired: Array<[string, number]> = []
    clock.setTimeout(() => {
      fired.push(['first', clock.now()])
      clock.setTimeout(() => fired.push(['inner-soon', clock.now()]), 50)
      clock.setTimeout(() => fired.push(['inner-late', clock.now()]), 500)
    }, 100)
    const count = clock.runUntil(200)
    expect(fired).toEqual([['first', 100], ['inner-soon', 150]])
    expect(count).toBe(2)
    expect(clock.pending).toBe(1)
    expect(clock.nextDeadline()).toBe(600)
    clock.runUntil(600)
    expect(fired.at(-1)).toEqual(['inner-late', 600])
  })

  it('a zero-delay timer set while firing runs after the other timers already due at that instant', () => {
    const clock = new VirtualClock()
    const order: string[] = []
    clock.setTimeout(() => {
      order.push('a')
      clock.setTimeout(() => order.push('a+0'), 0)
    }, 100)
    clock.setTimeout(() => order.push('b'), 100)
    clock.advanceBy(100)
    expect(order).toEqual(['a', 'b', 'a+0'])
  })

  it('runUntil ends with now() at the target, never before and never going back', () => {
    const clock = new VirtualClock({ epochMs: 1000 })
    clock.setTimeout(() => {}, 10)
    expect(clock.runUntil(5000)).toBe(1)
    expect(clock.now()).toBe(5000)
    expect(clock.runUntil(4000)).toBe(0)
    expect(clock.now()).toBe(5000)
    clock.advanceBy(250)
    expect(clock.now()).toBe(5250)
  })

  it('counts pending timers and reports the next deadline; step() fires exactly one', () => {
    const clock = new VirtualClock()
    expect(clock.pending).toBe(0)
    expect(clock.nextDeadline()).toBeUndefined()
    expect(clock.step()).toBe(false)
    const h = clock.setTimeout(() => {}, 30)
    clock.setTimeout(() => {}, 70)
    clock.setTimeout(() => {}, 50)
    expect(clock.pending).toBe(3)
    clock.clearTimeout(h)
    expect(clock.nextDeadline()).toBe(50)
    expect(clock.step()).toBe(true)
    expect(clock.now()).toBe(50)
    expect(clock.pending).toBe(1)
    expect(clock.step()).toBe(true)
    expect(clock.now()).toBe(70)
    expect(clock.pending).toBe(0)
    expect(clock.step()).toBe(false)
  })

  it('treats a negative delay as zero', () => {
    const clock = new VirtualClock({ epochMs: 100 })
    const fn = vi.fn(() => clock.now())
    clock.setTimeout(fn, -50)
    expect(clock.nextDeadline()).toBe(100)
    clock.advanceBy(0)
    expect(fn).toHaveReturnedWith(100)
  })

  it('fires a re-armed periodic timer once per period over a long advance (unlike a single big jump)', () => {
    const clock = new VirtualClock()
    let ticks = 0
    const tick = () => {
      ticks++
      clock.setTimeout(tick, 1000)
    }
    clock.setTimeout(tick, 1000)
    clock.advanceBy(3_600_000)
    expect(ticks).toBe(3600)
    expect(clock.pending).toBe(1)
  })

  it('drives XState v5 delayed transitions when passed as createActor(machine, { clock })', () => {
    const clock = new VirtualClock({ epochMs: EPOCH })
    const machine = createMachine({
      initial: 'a',
      states: { a: { after: { 1000: 'b' } }, b: { after: { 500: 'c' } }, c: {} },
    })
    const actor = createActor(machine, { clock }).start()
    expect(actor.getSnapshot().value).toBe('a')
    expect(clock.pending).toBe(1)
    clock.advanceBy(999)
    expect(actor.getSnapshot().value).toBe('a')
    clock.advanceBy(1)
    expect(actor.getSnapshot().value).toBe('b')
    clock.advanceBy(10_000)
    expect(actor.getSnapshot().value).toBe('c')
    expect(clock.pending).toBe(0)
    actor.stop()
  })

  it('has its timers cancelled when an XState actor leaves the state or stops', () => {
    const clock = new VirtualClock()
    const machine = createMachine({
      initial: 'waiting',
      states: { waiting: { after: { 1000: 'timedOut' }, on: { go: 'done' } }, timedOut: {}, done: {} },
    })
    const actor = createActor(machine, { clock }).start()
    actor.send({ type: 'go' })
    expect(clock.pending).toBe(0)
    clock.advanceBy(5000)
    expect(actor.getSnapshot().value).toBe('done')

    const other = createActor(machine, { clock }).start()
    expect(clock.pending).toBe(1)
    other.stop()
    expect(clock.pending).toBe(0)
    actor.stop()
  })
})

describe('RealClock', () => {
  afterEach(() => {
    vi.useRealTimers()
  })

  it('rejects a speed that is not > 0', () => {
    expect(() => new RealClock({ speed: 0 })).toThrow(RangeError)
    expect(() => new RealClock({ speed: -2 })).toThrow(RangeError)
    expect(() => new RealClock({ speed: Number.NaN })).toThrow(RangeError)
  })

  it('at speed 10 fires timers ten times sooner and advances now() ten times faster (fake timers)', () => {
    vi.useFakeTimers()
    const clock = new RealClock({ speed: 10, epochMs: EPOCH })
    expect(clock.speed).toBe(10)
    expect(clock.now()).toBe(EPOCH)
    const fn = vi.fn()
    clock.setTimeout(fn, 1000) // 1 s of clock time = 100 ms of wall time
    vi.advanceTimersByTime(99)
    expect(fn).not.toHaveBeenCalled()
    vi.advanceTimersByTime(1)
    expect(fn).toHaveBeenCalledOnce()
    expect(clock.now()).toBe(EPOCH + 1000)
  })

  it('clearTimeout cancels a host timer (fake timers)', () => {
    vi.useFakeTimers()
    const clock = new RealClock()
    const fn = vi.fn()
    const h = clock.setTimeout(fn, 50)
    clock.clearTimeout(h)
    vi.advanceTimersByTime(1000)
    expect(fn).not.toHaveBeenCalled()
  })

  it('setAgain re-arms the fired Node timer with the new delay: the same handle, fired again (short real wait)', async () => {
    const clock = new RealClock({ speed: 2 })
    const firings: number[] = []
    let handle: unknown
    const wallStart = performance.now()
    await new Promise<void>((resolve) => {
      const fn = () => {
        firings.push(performance.now() - wallStart)
        if (firings.length === 3) return resolve()
        const again = clock.setAgain(handle, firings.length === 1 ? 60 : 20) // clock ms: 30 and 10 ms of wall time
        expect(again).toBe(handle)
      }
      handle = clock.setTimeout(fn, 20)
    })
    expect(firings[0]).toBeGreaterThanOrEqual(8)
    expect(firings[1]! - firings[0]!).toBeGreaterThanOrEqual(25)
    expect(firings[2]! - firings[1]!).toBeGreaterThanOrEqual(8)
    expect(firings[2]! - firings[1]!).toBeLessThan(firings[1]! - firings[0]! + 500)
  })

  it('setAgain on a cleared Node timer arms it again (short real wait)', async () => {
    const clock = new RealClock()
    let fired = 0
    const h = clock.setTimeout(() => fired++, 5)
    clock.clearTimeout(h)
    await new Promise((r) => globalThis.setTimeout(r, 30))
    expect(fired).toBe(0)
    expect(clock.setAgain(h, 5)).toBe(h)
    await new Promise((r) => globalThis.setTimeout(r, 60))
    expect(fired).toBe(1)
  })

  it('setAgain on a timer cleared with the global clearTimeout (its callback gone) throws instead of arming nothing', () => {
    const clock = new RealClock()
    const h = clock.setTimeout(() => {}, 5)
    globalThis.clearTimeout(h as ReturnType<typeof setTimeout>)
    expect(() => clock.setAgain(h, 5)).toThrow(/cleared outside this clock/)
  })

  it('setAgain on a cleared timer arms it again; clearTimeout after setAgain cancels it (fake timers)', () => {
    vi.useFakeTimers()
    const clock = new RealClock()
    const fn = vi.fn()
    const h = clock.setTimeout(fn, 50)
    clock.clearTimeout(h)
    // The handle setAgain returns is the one to use from then on (the same one, for Node's timers).
    const again = clock.setAgain(h, 100)
    vi.advanceTimersByTime(99)
    expect(fn).not.toHaveBeenCalled()
    vi.advanceTimersByTime(1)
    expect(fn).toHaveBeenCalledOnce()
    clock.clearTimeout(clock.setAgain(again, 10))
    vi.advanceTimersByTime(1000)
    expect(fn).toHaveBeenCalledOnce()
  })

  it('at speed 1 follows wall time (short real wait)', async () => {
    const clock = new RealClock({ epochMs: EPOCH })
    const started = clock.now()
    const firedAt = await new Promise<number>((resolve) => clock.setTimeout(() => resolve(clock.now()), 30))
    expect(firedAt - started).toBeGreaterThanOrEqual(25)
    expect(firedAt - started).toBeLessThan(1000)
  })

  it('at speed 20 a 1 s clock timer fires after ~50 ms of wall time (short real wait)', async () => {
    const clock = new RealClock({ speed: 20, epochMs: EPOCH })
    const wallStart = performance.now()
    const clockAtFire = await new Promise<number>((resolve) => clock.setTimeout(() => resolve(clock.now()), 1000))
    const wallElapsed = performance.now() - wallStart
    expect(wallElapsed).toBeGreaterThanOrEqual(45)
    expect(wallElapsed).toBeLessThan(900)
    expect(clockAtFire - EPOCH).toBeGreaterThanOrEqual(900)
  })
})

describe('VirtualClock rejects a NaN delay', () => {
  it('throws instead of queueing a timer that can never fire', () => {
    const clock = new VirtualClock()
    expect(() => clock.setTimeout(() => {}, Number.NaN)).toThrow(RangeError)
    expect(clock.pending).toBe(0)
  })
})

describe('VirtualClock.setAgain', () => {
  it('sets a fired timer again, in the order setTimeout would, without a new handle', () => {
    const clock = new VirtualClock({ epochMs: EPOCH })
    const order: string[] = []
    let handle: unknown
    const again = () => {
      order.push(`a@${clock.now() - EPOCH}`)
      if (order.length < 6) handle = clock.setAgain(handle, 100)
    }
    handle = clock.setTimeout(again, 100)
    const first = handle
    // Same deadlines as `again`'s: set before it is set again, so it fires first at each tie.
    for (const at of [200, 300]) clock.setTimeout(() => order.push(`b@${clock.now() - EPOCH}`), at)
    clock.advanceBy(1000)
    expect(order).toEqual(['a@100', 'b@200', 'a@200', 'b@300', 'a@300', 'a@400'])
    expect(handle).toBe(first)
    expect(clock.pending).toBe(0)
  })

  it('takes a new timer for a handle still queued (cleared, not yet dropped): no timer fires twice', () => {
    const clock = new VirtualClock({ epochMs: EPOCH })
    const fn = vi.fn()
    const h = clock.setTimeout(fn, 100)
    clock.clearTimeout(h)
    const h2 = clock.setAgain(h, 50)
    expect(h2).not.toBe(h)
    clock.advanceBy(1000)
    expect(fn).toHaveBeenCalledOnce()
    expect(clock.now()).toBe(EPOCH + 1000)
  })
})
