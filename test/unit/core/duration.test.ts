import { describe, expect, it } from 'vitest'
import { formatDuration, parseDuration } from '../../../src/core/duration.js'
import { FleetError } from '../../../src/core/errors.js'

describe('parseDuration', () => {
  it.each([
    ['250ms', 250],
    ['30s', 30_000],
    ['5m', 300_000],
    ['2h', 7_200_000],
    ['7d', 604_800_000],
    ['1w', 604_800_000],
    ['1.5s', 1500],
    ['0s', 0],
    [' 45 s ', 45_000],
    ['1h30m', 5_400_000],
    ['1h 30m', 5_400_000],
    ['2d12h', 216_000_000],
    ['1m500ms', 60_500],
    ['1500', 1500],
    ['12.6', 13],
  ])('parses %j as %d ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms)
  })

  it('passes a plain number of milliseconds through', () => {
    expect(parseDuration(1000)).toBe(1000)
    expect(parseDuration(0)).toBe(0)
  })

  it.each([['', 'empty'], ['abc', 'no number'], ['5x', 'unknown unit'], ['-5s', 'negative'], ['5 seconds', 'long unit'], ['1h30', 'trailing bare number'], ['s', 'unit only'], ['1e3ms', 'exponent']])(
    'rejects %j (%s) with FLEET_ERR_CORE_BAD_DURATION',
    (text) => {
      let error: unknown
      try {
        parseDuration(text)
      } catch (e) {
        error = e
      }
      expect(error).toBeInstanceOf(FleetError)
      expect((error as FleetError).code).toBe('FLEET_ERR_CORE_BAD_DURATION')
      expect((error as FleetError).message).toContain(JSON.stringify(text))
      expect((error as FleetError).hint).toMatch(/250ms, 30s/)
    },
  )

  it.each([-1, Number.NaN, Number.POSITIVE_INFINITY])('rejects the number %d', (n) => {
    expect(() => parseDuration(n)).toThrow(expect.objectContaining({ code: 'FLEET_ERR_CORE_BAD_DURATION' }))
  })
})

describe('formatDuration', () => {
  it.each([
    [0, '0s'],
    [1, '1ms'],
    [250, '250ms'],
    [999, '999ms'],
    [1000, '1s'],
    [30_000, '30s'],
    [90_000, '1m30s'],
    [5_400_000, '1h30m'],
    [7_200_000, '2h'],
    [604_800_000, '7d'],
    [90_061_000, '1d1h1m1s'],
    [1499, '1s'],
    [1500, '2s'],
  ])('formats %d ms as %j', (ms, text) => {
    expect(formatDuration(ms)).toBe(text)
  })

  it('round-trips through parseDuration for whole seconds and sub-second values', () => {
    for (const ms of [1, 250, 1000, 61_000, 3_600_000, 5_400_000, 86_400_000 + 1000, 1_234_567_000]) {
      expect(parseDuration(formatDuration(ms))).toBe(ms)
    }
  })
})
