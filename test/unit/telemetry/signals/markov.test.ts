import { describe, expect, it } from 'vitest'
import { deriveStream } from '../../../../src/core/rng.js'
import { markovSignal } from '../../../../src/spec/signal.schema.js'
import type { StreamFactory } from '../../../../src/telemetry/signals/index.js'
import { markov } from '../../../../src/telemetry/signals/markov.js'

const SEED = 3
const HOUR = 3_600_000
const streamsFor = (device: string, seed = SEED): StreamFactory => (purpose) => deriveStream(seed, device, purpose)

const door = (states: unknown[], extra: Record<string, unknown> = {}) => markovSignal.parse({ kind: 'markov', states, ...extra })
const dwellDoor = door([
  { name: 'closed', value: 0, meanDwell: '30m' },
  { name: 'open', value: 1, meanDwell: '2m' },
])
const rateDoor = door([
  { name: 'closed', value: 0, ratesPerHour: { open: 2 } },
  { name: 'open', value: 1, ratesPerHour: { closed: 30 } },
])

/** Mean run length (ms) of each value, sampling every `period` ms over `hours`. */
function dwells(s: { at(t: number): number }, period: number, hours: number): Map<number, number[]> {
  const runs = new Map<number, number[]>()
  let current = s.at(0)
  let since = 0
  for (let t = period; t <= hours * HOUR; t += period) {
    const v = s.at(t)
    if (v !== current) {
      if (since > 0) runs.set(current, [...(runs.get(current) ?? []), t - since])
      current = v
      since = t
    }
  }
  return runs
}
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length

describe('markov', () => {
  it('starts in the first state, or in `initial`', () => {
    expect(markov(dwellDoor, streamsFor('d')).at(0)).toBe(0)
    expect(markov(door(dwellDoor.states, { initial: 'open' }), streamsFor('d')).at(0)).toBe(1)
  })

  it.each([
    ['meanDwell', dwellDoor],
    ['ratesPerHour', rateDoor],
  ])('has mean dwell times matching the spec (%s): closed 30 min, open 2 min', (_label, spec) => {
    const runs = dwells(markov(spec, streamsFor('door')), 1000, 1000)
    const closed = mean(runs.get(0)!)
    const open = mean(runs.get(1)!)
    expect(runs.get(0)!.length).toBeGreaterThan(1000)
    expect(closed / (30 * 60_000)).toBeGreaterThan(0.93)
    expect(closed / (30 * 60_000)).toBeLessThan(1.07)
    expect(open / (2 * 60_000)).toBeGreaterThan(0.93)
    expect(open / (2 * 60_000)).toBeLessThan(1.07)
  })

  it('is exact for any sample times: a coarse sampling sees the same path as a fine one', () => {
    const fine = markov(dwellDoor, streamsFor('d'))
    const coarse = markov(dwellDoor, streamsFor('d'))
    const fineValues = new Map<number, number>()
    for (let t = 0; t <= 24 * HOUR; t += 1000) fineValues.set(t, fine.at(t))
    for (let t = 0; t <= 24 * HOUR; t += 7 * 60_000) expect(coarse.at(t)).toBe(fineValues.get(t))
  })

  it('is deterministic per seed and differs between devices', () => {
    const sample = (device: string) => {
      const s = markov(dwellDoor, streamsFor(device))
      return Array.from({ length: 500 }, (_, i) => s.at(i * 60_000))
    }
    expect(sample('d')).toEqual(sample('d'))
    expect(sample('d')).not.toEqual(sample('e'))
  })

  it('draws the next state by `next` weights', () => {
    const spec = door([
      { name: 'a', value: 0, meanDwell: '1m', next: { b: 3, c: 1 } },
      { name: 'b', value: 1, meanDwell: '1m', next: { a: 1 } },
      { name: 'c', value: 2, meanDwell: '1m', next: { a: 1 } },
    ])
    const s = markov(spec, streamsFor('w'))
    let prev = s.at(0)
    const fromA = [0, 0]
    for (let t = 1000; t < 500 * HOUR; t += 1000) {
      const v = s.at(t)
      if (prev === 0 && v !== 0) fromA[v - 1]!++
      prev = v
    }
    const toB = fromA[0]! / (fromA[0]! + fromA[1]!)
    expect(toB).toBeGreaterThan(0.72)
    expect(toB).toBeLessThan(0.78)
  })

  it('stays in an absorbing state (no exits)', () => {
    const s = markov(door([{ name: 'on', value: 1, ratesPerHour: { off: 60 } }, { name: 'off', value: 0, ratesPerHour: {} }]), streamsFor('d'))
    expect(s.at(100 * HOUR)).toBe(0)
  })

  it('rejects unknown and duplicate states, both meanDwell and rates, self-transitions', () => {
    const bad = markovSignal.safeParse({
      kind: 'markov',
      initial: 'ajar',
      states: [
        { name: 'closed', value: 0, meanDwell: '1m', ratesPerHour: { open: 1 } },
        { name: 'open', value: 1, ratesPerHour: { shut: 1, open: 2 } },
        { name: 'open', value: 2, next: { closed: 1 } },
      ],
    })
    expect(bad.success).toBe(false)
    const messages = bad.error!.issues.map((i) => `${i.path.join('.')}: ${i.message}`)
    expect(messages).toEqual([
      'states.0.ratesPerHour: give meanDwell or ratesPerHour, not both',
      'states.1.ratesPerHour.shut: unknown state "shut"',
      'states.1.ratesPerHour.open: a state cannot move to itself',
      'states.2.name: duplicate state "open"',
      'states.2.next: `next` weights need meanDwell',
      'initial: unknown state "ajar"',
    ])
  })
})
