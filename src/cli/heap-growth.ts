import { setFlagsFromString } from 'node:v8'

/**
 * How far (in %) V8 may let a heap grow past what survived the last full collection before it collects
 * again, for live runs. V8's own factor goes up to 4× for a busy heap: at 10,000 devices that is 1 GB+ of
 * garbage across the broker's and the devices' heaps, which is RSS users pay for. 20% halves a soak's
 * RSS at a CPU cost within the noise (bench/README.md, "Soak runs"); 10% costs CPU and saves nothing more.
 */
export const LIVE_HEAP_GROWTH_PERCENT = 20

/**
 * Sets V8's heap growing factor for this process (every thread: V8 flags are process-wide, and the
 * factor is read at each collection), unless the user gave one with `node --heap-growing-percent`
 * or in NODE_OPTIONS. Returns the percent in force, or undefined when the user's own applies.
 */
export function limitHeapGrowth(percent = LIVE_HEAP_GROWTH_PERCENT, execArgv: readonly string[] = process.execArgv, nodeOptions = process.env.NODE_OPTIONS ?? ''): number | undefined {
  const given = (s: string) => /--heap[-_]growing[-_]percent\b/.test(s)
  if (execArgv.some(given) || given(nodeOptions)) return undefined
  setFlagsFromString(`--heap-growing-percent=${percent}`)
  return percent
}
