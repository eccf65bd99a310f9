import { availableParallelism } from 'node:os'
import { errors } from '../core/index.js'

/** Devices per telemetry part file, at most (parts are balanced: ⌈D / 100⌉ of them, up to MAX_PARTS). */
export const DEVICES_PER_PART = 100
/** Past 6,400 devices, parts grow instead of multiplying. */
export const MAX_PARTS = 64

/** One telemetry part file: a contiguous range of the dataset's devices, as fleet-wide indexes [from, to). */
export interface DatasetPart {
  index: number
  from: number
  to: number
}

/**
 * How a dataset's telemetry is split into files: `telemetry/part-<index>.<ext>` holds the rows of a
 * contiguous range of devices, in simulation-time order. The split depends only on the devices (never
 * on the number of workers), and a worker writes whole parts, so a run with any number of workers
 * writes the same files, byte for byte. `first` is the fleet-wide index of the dataset's first device
 * (a shard's start).
 */
export function datasetParts(devices: number, first = 0): DatasetPart[] {
  const count = Math.max(1, Math.min(MAX_PARTS, Math.ceil(devices / DEVICES_PER_PART)))
  return Array.from({ length: count }, (_, index) => ({
    index,
    from: first + Math.floor((index * devices) / count),
    to: first + Math.floor(((index + 1) * devices) / count),
  }))
}

/** Worker w of W takes parts [⌊wP/W⌋, ⌊(w+1)P/W⌋): contiguous, whole parts, none left over. */
export function partsOfWorker(parts: readonly DatasetPart[], worker: number, workers: number): DatasetPart[] {
  return parts.slice(Math.floor((worker * parts.length) / workers), Math.floor(((worker + 1) * parts.length) / workers))
}

/** The most workers a dataset may ask for on this machine: twice its cores (more only adds switching). */
export function maxDatasetWorkers(): number {
  return 2 * availableParallelism()
}

/** Validates a requested worker count (a positive whole number, at most {@link maxDatasetWorkers}). */
export function checkWorkers(workers: number): number {
  const max = maxDatasetWorkers()
  if (!Number.isInteger(workers) || workers < 1) throw errors.badArgument(`workers must be a whole number ≥ 1, got ${workers}`, 'Use 1 (the default) to simulate on one core, or up to the number of cores.')
  if (workers > max) throw errors.badArgument(`workers must be at most ${max} here (2 × ${availableParallelism()} cores), got ${workers}`, `Use up to ${availableParallelism()}: one per core.`)
  return workers
}
