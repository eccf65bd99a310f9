import { describe, expect, it } from 'vitest'
import { assign, setup, type AnyMachineSnapshot, type AnyStateMachine, type EventObject } from 'xstate'
import { VirtualClock } from '../../../src/core/clock.js'
import { MachineRunner } from '../../../src/device/machine-runner.js'
import { TransitionMemo } from '../../../src/device/transition-memo.js'

/** A counter that goes round: a → b → a …, `n` counting the laps; `set` takes a payload. */
const laps = setup({ types: { context: {} as { n: number; extra?: unknown }, events: {} as { type: 'go' } | { type: 'back' } | { type: 'set'; n: number } } }).createMachine({
  context: { n: 0 },
  initial: 'a',
  states: {
    a: { on: { go: 'b', set: { actions: assign({ n: ({ event }) => event.n }) } } },
    b: { on: { back: { target: 'a', actions: assign({ n: ({ context }) => (context.n + 1) % 2 }) } } },
  },
})

function runners(machine: AnyStateMachine = laps, n = 3) {
  const clock = new VirtualClock()
  const list = Array.from({ length: n }, (_, i) => new MachineRunner(machine, clock, undefined, i, () => undefined, (e) => { throw e }))
  for (const r of list) r.start()
  return list
}
const snap = (r: MachineRunner): AnyMachineSnapshot => r.getSnapshot()

describe('TransitionMemo: what devices share', () => {
  it('one snapshot per state and context, however it was reached', () => {
    const [x, y] = runners()
    x!.send({ type: 'go' })
    x!.send({ type: 'back' }) // n 1
    x!.send({ type: 'go' })
    x!.send({ type: 'back' }) // n 0 again: the initial state's equal
    expect(snap(x!)).toEqual(snap(y!))
    expect(snap(x!)).toBe(snap(y!))
    y!.send({ type: 'go' })
    x!.send({ type: 'go' })
    expect(snap(x!)).toBe(snap(y!))
  })

  it('a transition on an event with a payload is the device’s own, and so is what follows from it', () => {
    const [x, y] = runners()
    x!.send({ type: 'set', n: 1 } as EventObject)
    y!.send({ type: 'set', n: 1 } as EventObject)
    expect(snap(x!)).toEqual(snap(y!))
    expect(snap(x!)).not.toBe(snap(y!))
    x!.send({ type: 'go' })
    y!.send({ type: 'go' })
    expect(snap(x!).value).toBe('b')
    expect(snap(x!)).not.toBe(snap(y!))
  })

  it('a context that is not plain data (a Map) is never shared, and still behaves', () => {
    const machine = setup({ types: { context: {} as { seen: Map<string, number> } } }).createMachine({
      context: () => ({ seen: new Map() }),
      initial: 'a',
      states: { a: { on: { go: 'b' } }, b: { on: { go: 'a' } } },
    })
    const [x, y] = runners(machine)
    expect(snap(x!)).not.toBe(snap(y!))
    x!.send({ type: 'go' })
    y!.send({ type: 'go' })
    expect([snap(x!).value, snap(y!).value]).toEqual(['b', 'b'])
    expect(snap(x!)).not.toBe(snap(y!))
  })

  it('keeps apart contexts that JSON alone would blur: undefined vs absent, NaN vs null, −0 vs 0', () => {
    // Through the input, the key of the initial snapshots, and the context made from it.
    const machine = setup({ types: { input: {} as { v: unknown }, context: {} as { v: unknown } } }).createMachine({ context: ({ input }) => ({ v: input.v }), initial: 'a', states: { a: {} } })
    const clock = new VirtualClock()
    const make = (v: unknown) => new MachineRunner(machine, clock, { v }, 0, () => undefined, () => undefined).getSnapshot()
    expect(make(1)).toBe(make(1))
    expect(make(null)).not.toBe(make(Number.NaN))
    expect(make(0)).not.toBe(make(-0))
    expect(make(null)).not.toBe(make(Number.POSITIVE_INFINITY))
  })

  it('events that carry only a type are sharable; any other field makes an event the device’s own', () => {
    expect(TransitionMemo.sharable({ type: 'go' })).toBe(true)
    expect(TransitionMemo.sharable({ type: 'go', n: 1 } as { type: string })).toBe(false)
    expect(TransitionMemo.inputKey(undefined)).toBe('')
    const cyclic: Record<string, unknown> = {}
    cyclic.self = cyclic
    expect(TransitionMemo.inputKey(cyclic)).toBeUndefined()
    expect(TransitionMemo.inputKey(new Map())).toBeUndefined()
    expect(TransitionMemo.inputKey({ a: undefined })).not.toBe(TransitionMemo.inputKey({}))
  })
})
