import { describe, expect, it } from 'vitest'
import { durationMs, fraction, name, positiveDurationMs } from '../../../src/spec/index.js'

describe('durationMs', () => {
  it.each([
    ['250ms', 250],
    ['30s', 30_000],
    ['5m', 300_000],
    ['2h', 7_200_000],
    ['7d', 604_800_000],
    ['1h30m', 5_400_000],
    ['1.5s', 1_500],
    ['0s', 0],
    ['1500', 1_500],
    [1500, 1_500],
    [0, 0],
  ] as const)('parses %j to %i ms', (input, ms) => {
    expect(durationMs.parse(input)).toBe(ms)
  })

  it.each(['10 parsecs', '-5s', 'soon', '', '5 s s', -5])('rejects %j with a custom issue that says how to write one', (input) => {
    const r = durationMs.safeParse(input)
    expect(r.success).toBe(false)
    const [issue] = r.error!.issues
    expect(issue).toMatchObject({ code: 'custom', message: `not a duration: ${JSON.stringify(input)}`, params: { hint: 'write a number with a unit: 250ms, 30s, 5m, 2h, 7d' } })
    expect(r.error!.issues).toHaveLength(1)
  })

  it('rejects values that are neither strings nor numbers', () => {
    for (const input of [true, null, undefined, ['5s'], { s: 5 }]) expect(durationMs.safeParse(input).success).toBe(false)
  })
})

describe('positiveDurationMs', () => {
  it('accepts durations longer than zero and rejects zero with a hint', () => {
    expect(positiveDurationMs.parse('1ms')).toBe(1)
    const r = positiveDurationMs.safeParse('0s')
    expect(r.success).toBe(false)
    expect(r.error!.issues[0]).toMatchObject({ message: 'must be longer than 0', params: { hint: 'e.g. 10s' } })
  })

  it('reports a bad duration once, not also as "must be longer than 0"', () => {
    const r = positiveDurationMs.safeParse('soon')
    expect(r.error!.issues.map((i) => i.message)).toEqual(['not a duration: "soon"'])
  })
})

describe('fraction and name', () => {
  it('fraction allows 0..1 inclusive', () => {
    expect(fraction.safeParse(0).success).toBe(true)
    expect(fraction.safeParse(1).success).toBe(true)
    expect(fraction.safeParse(1.5).success).toBe(false)
    expect(fraction.safeParse(-0.1).success).toBe(false)
  })

  it('name allows letters, digits, ".", "_" and "-", not starting with punctuation', () => {
    for (const ok of ['env-sensor', 'th_200', 'v1.2', 'A9']) expect(name.safeParse(ok).success).toBe(true)
    for (const bad of ['-x', 'has space', 'a/b', '']) expect(name.safeParse(bad).success).toBe(false)
  })
})
