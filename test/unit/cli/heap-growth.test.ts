import { spawnSync } from 'node:child_process'
import { describe, expect, it } from 'vitest'
import { LIVE_HEAP_GROWTH_PERCENT, limitHeapGrowth } from '../../../src/cli/heap-growth.js'

describe('limitHeapGrowth', () => {
  it('leaves a growth factor the user gave on the node command line or in NODE_OPTIONS', () => {
    expect(limitHeapGrowth(20, ['--heap-growing-percent=50'], '')).toBeUndefined()
    expect(limitHeapGrowth(20, ['--heap_growing_percent=50'], '')).toBeUndefined()
    expect(limitHeapGrowth(20, [], '--max-old-space-size=4096 --heap-growing-percent=35')).toBeUndefined()
  })

  it('sets the live-run default otherwise', () => {
    expect(limitHeapGrowth(LIVE_HEAP_GROWTH_PERCENT, ['--enable-source-maps'], '--max-old-space-size=4096')).toBe(20)
  })

  it('is a flag V8 takes at run time: a heap grown on garbage is collected sooner once it is set', () => {
    // A child process, so this test's own heap keeps its settings. It keeps ~40 MB live and makes
    // garbage that lives long enough to be promoted; the peak heap between full collections is what
    // the growth factor bounds (here ~170 MB without, ~85 MB with).
    const script = `
      const { setFlagsFromString } = require('node:v8')
      if (process.argv[1] === 'limit') setFlagsFromString('--heap-growing-percent=20')
      const live = []
      for (let i = 0; i < 400; i++) live.push(new Array(12_500).fill(i))
      let peak = 0, junk = []
      for (let i = 0; i < 8000; i++) {
        junk.push(new Array(2_500).fill(i))
        if (junk.length > 1000) junk = []
        if (i % 50 === 0) peak = Math.max(peak, process.memoryUsage().heapUsed)
      }
      console.log(Math.round(peak / 1048576))`
    const peakMb = (mode: string) => Number(spawnSync(process.execPath, ['-e', script, mode], { encoding: 'utf8' }).stdout.trim())
    const unlimited = peakMb('default')
    const limited = peakMb('limit')
    expect(limited).toBeGreaterThan(30)
    expect(limited).toBeLessThan(unlimited * 0.8)
  })
})
