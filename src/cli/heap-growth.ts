import { InvalidArgumentError } from 'commander'
import { setFlagsFromString } from 'node:v8'

/**
 * `--heap-growth`: a percent from the start, `v8` (V8's own factor; the default), `auto` (V8's through
 * the connect ramp, {@link AFTER_RAMP_HEAP_GROWTH} after it) or `auto:N` (N after it).
 */
export type HeapGrowth = number | 'v8' | { afterRamp: number }

/**
 * `auto`'s factor once every device is online: collect at 2× the live heap. What it bounds is a
 * reconnect wave: there V8's own factor (up to 4× for a busy heap) lets the heap run up to ~1 GB of
 * promoted garbage before a major GC at 10,000 devices. Measured (bench/README.md, "Where it stands
 * (night)"): peak RSS 925 → 778 MiB in a 30-min soak, but ~8 points more CPU and a worse latency p99
 * (973 against 428 ms), the collections after a broker restart stalling the event loop for up to
 * ~400 ms each — so it is opt-in.
 */
export const AFTER_RAMP_HEAP_GROWTH = 100

/**
 * The default after the ramp when devices run in worker threads: collect at 1.5× the live heap. With
 * two heaps (the devices' worker, the broker's main thread) at V8's own factor, RSS swung by ~400 MiB
 * with their collections (720–1,333 MiB over a 30-min soak of 10,000 devices), and the soak's RSS
 * growth read 10.1% from where in the swing its windows fell. With this factor the same soak held
 * 501–618 MiB, and its latency p99 was 73 ms against 113 (bench/README.md, "Where it stands
 * (2026-12-07, day)"). One heap keeps V8's factor: there a tighter one cost latency.
 */
export const WORKERS_AFTER_RAMP_HEAP_GROWTH = 50

/** `--heap-growth` unset: `auto:50` when devices run in worker threads, else V8's own factor. */
export function resolveHeapGrowth(flag: HeapGrowth | undefined, deviceWorkers: number): HeapGrowth {
  if (flag !== undefined) return flag
  return deviceWorkers > 0 ? { afterRamp: WORKERS_AFTER_RAMP_HEAP_GROWTH } : 'v8'
}

/**
 * V8's heap growing factor for this process, as a percent over what survived the last full collection
 * (`--heap-growth 20`: collect once the heap is 1.2× that); 0 gives V8 back its own. V8 flags are
 * process-wide and this one is read at every collection, so it applies to every thread (broker,
 * device workers) from now on.
 *
 * Why a fixed factor is opt-in: V8's own factor (up to 4× for a busy heap) leaves a 10,000-device soak
 * with hundreds of MB of garbage, but collects seldom; 50% takes a third to a half off RSS and slows
 * the connect ramp, and tighter factors cost latency and reconnect time, because the emulator's own
 * collections then land in what it measures (bench/README.md, "Where it stands" and "Heap growing
 * factor").
 */
export function setHeapGrowth(percent: number): void {
  setFlagsFromString(`--heap-growing-percent=${percent}`)
}

/**
 * Applies `--heap-growth` to a fleet about to start. `auto:N`: V8's own factor while devices connect
 * (the ramp is allocation-bound: a tighter factor slows it by ~10–20%), then N once every device is
 * online at once (`auto`: {@link AFTER_RAMP_HEAP_GROWTH}). A fleet that never has every device online
 * keeps V8's factor. `v8`: nothing is set.
 */
export function applyHeapGrowth(growth: HeapGrowth, fleet: { once(event: 'online', listener: () => void): unknown }, set = setHeapGrowth): void {
  if (typeof growth === 'number') return set(growth)
  if (typeof growth === 'object') fleet.once('online', () => set(growth.afterRamp))
}

function percentArg(text: string, value: string): number {
  const n = Number(text)
  if (!Number.isInteger(n) || n < 1 || n > 1000) throw new InvalidArgumentError(`expected auto, auto:N, v8 or a whole percent N of 1–1000 (20: collect when the heap is 1.2× its live size), got "${value}"`)
  return n
}

/** The `--heap-growth` value that gives `growth` (for the report's run metadata). */
export function formatHeapGrowth(growth: HeapGrowth): string {
  if (typeof growth === 'object') return growth.afterRamp === AFTER_RAMP_HEAP_GROWTH ? 'auto' : `auto:${growth.afterRamp}`
  return String(growth)
}

export function heapGrowthArg(value: string): HeapGrowth {
  if (value === 'v8') return value
  if (value === 'auto') return { afterRamp: AFTER_RAMP_HEAP_GROWTH }
  if (value.startsWith('auto:')) return { afterRamp: percentArg(value.slice('auto:'.length), value) }
  return percentArg(value, value)
}
