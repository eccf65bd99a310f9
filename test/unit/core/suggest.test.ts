import { describe, expect, it } from 'vitest'
import { closest, didYouMean, editDistance } from '../../../src/core/suggest.js'

const KINDS = ['disconnect', 'latency', 'packet-loss', 'broker-restart', 'stuck-sensor', 'reboot']

describe('closest', () => {
  it('suggests "disconnect" for "disconect"', () => {
    expect(closest('disconect', KINDS)).toBe('disconnect')
  })

  it('handles a transposition, a wrong letter and case differences, returning the candidate as written', () => {
    expect(closest('latnecy', KINDS)).toBe('latency')
    expect(closest('reboat', KINDS)).toBe('reboot')
    expect(closest('DISCONNECT', KINDS)).toBe('disconnect')
    expect(closest('Packet-Los', KINDS)).toBe('packet-loss')
  })

  it('returns undefined for words far from every candidate', () => {
    expect(closest('temperature', KINDS)).toBeUndefined()
    expect(closest('xyz', KINDS)).toBeUndefined()
    expect(closest('zzzzzzzzzzzz', KINDS)).toBeUndefined()
  })

  it('returns undefined when there are no candidates, and accepts any iterable', () => {
    expect(closest('disconnect', [])).toBeUndefined()
    expect(closest('latncy', new Set(KINDS))).toBe('latency')
  })

  it('prefers the first of equally close candidates', () => {
    expect(closest('cat', ['bat', 'hat'])).toBe('bat')
  })
})

describe('didYouMean', () => {
  it('phrases the suggestion, or gives undefined', () => {
    expect(didYouMean('disconect', KINDS)).toBe('did you mean "disconnect"?')
    expect(didYouMean('temperature', KINDS)).toBeUndefined()
  })
})

describe('editDistance', () => {
  it.each([
    ['', '', 0],
    ['abc', '', 3],
    ['', 'abc', 3],
    ['abc', 'abc', 0],
    ['kitten', 'sitting', 3],
    ['flaw', 'lawn', 2],
    ['disconect', 'disconnect', 1],
  ])('editDistance(%j, %j) = %d', (a, b, d) => {
    expect(editDistance(a, b)).toBe(d)
    expect(editDistance(b, a)).toBe(d)
  })
})
