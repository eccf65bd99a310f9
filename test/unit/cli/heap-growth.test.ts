import { spawnSync } from 'node:child_process'
import { InvalidArgumentError } from 'commander'
import { describe, expect, it } from 'vitest'
import { EventEmitter } from 'node:events'
import { AFTER_RAMP_HEAP_GROWTH, applyHeapGrowth, formatHeapGrowth, heapGrowthArg, resolveHeapGrowth } from '../../../src/cli/heap-growth.js'

describe('--heap-growth', () => {
  it('takes a whole percent 1–1000 and refuses anything else with what it expects', () => {
    expect(heapGrowthArg('20')).toBe(20)
    expect(heapGrowthArg('1000')).toBe(1000)
    for (const bad of ['0', '-5', '12.5', 'lots', '1001', '']) expect(() => heapGrowthArg(bad)).toThrow(InvalidArgumentError)
    expect(() => heapGrowthArg('x')).toThrow(/auto, auto:N, v8 or a whole percent N of 1–1000/)
    expect(heapGrowthArg('auto')).toEqual({ afterRamp: AFTER_RAMP_HEAP_GROWTH })
    expect(heapGrowthArg('auto:50')).toEqual({ afterRamp: 50 })
    for (const bad of ['auto:', 'auto:0', 'auto:x', 'auto:1001', 'auto:12.5']) expect(() => heapGrowthArg(bad)).toThrow(new RegExp(`got "${bad}"`))
    expect(heapGrowthArg('v8')).toBe('v8')
    // What the report records gives the same setting back.
    for (const v of ['v8', 'auto', 'auto:50', '20']) expect(formatHeapGrowth(heapGrowthArg(v))).toBe(v)
  })

  it('auto keeps V8’s factor through the connect ramp and bounds the heap once every device is online', () => {
    const fleet = new EventEmitter()
    const set: number[] = []
    applyHeapGrowth(heapGrowthArg('auto'), fleet, (p) => set.push(p))
    applyHeapGrowth(heapGrowthArg('auto:50'), fleet, (p) => set.push(p))
    expect(set).toEqual([])
    fleet.emit('online')
    fleet.emit('online')
    expect(set).toEqual([AFTER_RAMP_HEAP_GROWTH, 50])
  })

  it('unset, it is auto:50 when devices run in worker threads (two heaps) and V8’s factor otherwise; a flag always wins', () => {
    expect(formatHeapGrowth(resolveHeapGrowth(undefined, 1))).toBe('auto:50')
    expect(formatHeapGrowth(resolveHeapGrowth(undefined, 3))).toBe('auto:50')
    expect(resolveHeapGrowth(undefined, 0)).toBe('v8')
    expect(resolveHeapGrowth('v8', 1)).toBe('v8')
    expect(resolveHeapGrowth(20, 0)).toBe(20)
  })

  it('a percent applies from the start; v8 never touches the factor', () => {
    const fleet = new EventEmitter()
    const set: number[] = []
    applyHeapGrowth(50, fleet, (p) => set.push(p))
    applyHeapGrowth('v8', fleet, (p) => set.push(p))
    fleet.emit('online')
    expect(set).toEqual([50])
  })

  it('set at run time, bounds how far a heap grows on garbage before it is collected', () => {
    // A child process (this one keeps V8's settings). It keeps ~40 MB live and makes garbage that
    // lives long enough to be promoted: the peak heap between full collections is what the factor
    // bounds (~170 MB with V8's own factor, ~85 MB with 20%).
    const script = `
      import { setHeapGrowth } from './src/cli/heap-growth.ts'
      if (process.argv[1] === 'limit') setHeapGrowth(20)
      const live = []
      for (let i = 0; i < 400; i++) live.push(new Array(12_500).fill(i))
      let peak = 0, junk = []
      for (let i = 0; i < 8000; i++) {
        junk.push(new Array(2_500).fill(i))
        if (junk.length > 1000) junk = []
        if (i % 50 === 0) peak = Math.max(peak, process.memoryUsage().heapUsed)
      }
      console.log(Math.round(peak / 1048576))`
    const peakMb = (mode: string) => {
      const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script, mode], { encoding: 'utf8' })
      expect(r.status, r.stderr).toBe(0)
      return Number(r.stdout.trim())
    }
    const own = peakMb('default')
    const limited = peakMb('limit')
    expect(limited).toBeGreaterThan(30)
    expect(limited).toBeLessThan(own * 0.8)
  })
})
