import { describe, expect, it } from 'vitest'
import { stepSignal } from '../../../../src/spec/signal.schema.js'
import { step } from '../../../../src/telemetry/signals/step.js'

const MIN = 60_000
const spec = (extra: Record<string, unknown>) => stepSignal.parse({ kind: 'step', ...extra })

describe('step', () => {
  it('parses [duration, value] steps to ms', () => {
    expect(spec({ steps: [['0s', 1], ['10m', 2]], repeat: '1h' })).toEqual({ kind: 'step', steps: [[0, 1], [10 * MIN, 2]], repeat: 60 * MIN })
  })

  it('switches exactly at each step time and holds the last value', () => {
    const s = step(spec({ steps: [['5m', 18], ['1h', 21], ['2h', 16]] }))
    expect(s.at(0)).toBe(18) // before the first step: its value (no `initial`)
    expect(s.at(5 * MIN - 1)).toBe(18)
    expect(s.at(60 * MIN - 1)).toBe(18)
    expect(s.at(60 * MIN)).toBe(21)
    expect(s.at(120 * MIN - 1)).toBe(21)
    expect(s.at(120 * MIN)).toBe(16)
    expect(s.at(1e10)).toBe(16)
  })

  it('uses `initial` before the first step', () => {
    const s = step(spec({ steps: [['10m', 5]], initial: -1 }))
    expect(s.at(10 * MIN - 1)).toBe(-1)
    expect(s.at(10 * MIN)).toBe(5)
  })

  it('cycles with `repeat`; before the first step of a cycle the previous cycle’s last value holds', () => {
    const s = step(spec({ steps: [['8h', 21], ['22h', 17]], repeat: '24h' }))
    const H = 60 * MIN
    expect(s.at(0)).toBe(17)
    expect(s.at(8 * H)).toBe(21)
    expect(s.at(22 * H - 1)).toBe(21)
    expect(s.at(22 * H)).toBe(17)
    expect(s.at(24 * H + 8 * H - 1)).toBe(17)
    expect(s.at(24 * H + 8 * H)).toBe(21)
    expect(s.at(10 * 24 * H + 22 * H)).toBe(17)
  })

  it('rejects unsorted steps, steps past the cycle, and an empty schedule', () => {
    const r = stepSignal.safeParse({ kind: 'step', steps: [['10m', 1], ['5m', 2], ['2h', 3]], repeat: '1h' })
    expect(r.error!.issues.map((i) => `${i.path.join('.')}: ${i.message}`)).toEqual([
      'steps.1.0: steps must be in increasing time order',
      'steps.2.0: must be before the end of the cycle (`repeat`)',
    ])
    expect(stepSignal.safeParse({ kind: 'step', steps: [] }).success).toBe(false)
  })
})
