import { describe, expect, it } from 'vitest'
import { mutators } from '../../../src/telemetry/mutators.js'

// The newer mutators (drift, offset, gain, noise, …) are covered in value-mutators.test.ts.
describe('mutators: spike and stuck', () => {
  it('spike adds delta (either sign) to the clean value', () => {
    expect(mutators.spike(20, 5)).toBe(25)
    expect(mutators.spike(20, -30)).toBe(-10)
    expect(mutators.spike(1.5, 0)).toBe(1.5)
  })

  it('stuck ignores the clean value and repeats the frozen one', () => {
    expect(mutators.stuck(20, 7)).toBe(7)
    expect(mutators.stuck(-100, 7)).toBe(7)
  })
})
