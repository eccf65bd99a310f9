import { InvalidArgumentError } from 'commander'
import { setFlagsFromString } from 'node:v8'

/**
 * V8's heap growing factor for this process, as a percent over what survived the last full collection
 * (`--heap-growth 20`: collect once the heap is 1.2× that). V8 flags are process-wide and this one is
 * read at every collection, so it applies to every thread (broker, device workers) from now on.
 *
 * Why it is opt-in: V8's own factor (up to 4× for a busy heap) leaves a 10,000-device soak with
 * hundreds of MB of garbage, but collects seldom; 50% takes a third to a half off RSS and slows the
 * connect ramp (~2,000–2,140 → ~1,500–1,700 devices/s in 90-s runs), and tighter factors cost latency
 * and reconnect time, because the emulator's own collections then land in what it measures
 * (bench/README.md, "Where it stands" and "Heap growing factor").
 */
export function setHeapGrowth(percent: number): void {
  setFlagsFromString(`--heap-growing-percent=${percent}`)
}

export function heapGrowthArg(value: string): number {
  const n = Number(value)
  if (!Number.isInteger(n) || n < 1 || n > 1000) throw new InvalidArgumentError(`expected a whole percent 1–1000 (20: collect when the heap is 1.2× its live size), got "${value}"`)
  return n
}
