import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { errors } from '../../core/index.js'
import { createNabExport } from './nab-export.js'
export { safeFileName } from './nab-export.js'
import type { TelemetryRow } from './row.js'
import { createTimeEvalExport } from './timeeval-export.js'

/** What the community-format exports need of an anomaly event (a subset of anomalies.jsonl's rows). */
export interface ExportAnomaly {
  anomaly_id: string
  devices: string[]
  /** Sensors it affects; empty means every sensor of its devices. */
  sensors: string[]
  start_ms: number
  end_ms: number
}

/** Takes telemetry rows as they come, and the anomaly list at the end. */
export interface RowExport {
  write(row: TelemetryRow): void
  /** Finishes every file; returns the files written (absolute paths, sorted). */
  close(anomalies: readonly ExportAnomaly[]): Promise<{ files: string[] }>
}

export interface DatasetExportsOptions {
  /**
   * The sensors of a device, in profile order: the column order of its TimeEval file. Without it,
   * the order of the device's first sample is used.
   */
  sensorsOf?: (deviceId: string) => readonly string[]
  /** Most files held open at once, over all exports (default 64). */
  maxOpenFiles?: number
  /** Most bytes buffered before every file is flushed (default 8 MiB). */
  maxBufferedBytes?: number
}

/**
 * Appends text to many files with few descriptors: text is buffered per file and flushed when the
 * total passes `maxBufferedBytes`; descriptors are kept in an LRU capped at `maxOpen`. A fleet of
 * 1,000 devices × 3 sensors is 4,000 export files, and the process has 20,000 descriptors in all.
 * Writes are synchronous: flush order cannot change the bytes, and a run cut short by a signal can
 * still close the files from its handler.
 */
export class AppendFiles {
  private readonly pending = new Map<string, string>()
  private pendingBytes = 0
  /** file → descriptor, least recently used first (Map keeps insertion order). */
  private readonly open = new Map<string, number>()
  private readonly created = new Set<string>()
  private readonly dirs = new Set<string>()

  constructor(
    private readonly maxOpen = 64,
    private readonly maxBufferedBytes = 8 << 20,
  ) {
    if (!Number.isInteger(maxOpen) || maxOpen < 1) throw errors.internal(`maxOpenFiles must be a positive integer, got ${maxOpen}`)
  }

  /** Descriptors open right now (never more than maxOpen). */
  get openFiles(): number {
    return this.open.size
  }

  append(file: string, text: string): void {
    this.pending.set(file, (this.pending.get(file) ?? '') + text)
    this.pendingBytes += text.length
    if (this.pendingBytes > this.maxBufferedBytes) this.flush()
  }

  /** Writes every buffered text to its file. */
  flush(): void {
    for (const [file, text] of this.pending) this.writeNow(file, text)
    this.pending.clear()
    this.pendingBytes = 0
  }

  /** Flushes and closes every file; returns all files ever written, sorted. */
  close(): string[] {
    this.flush()
    for (const [file, fd] of this.open) this.closeFd(file, fd)
    this.open.clear()
    return [...this.created].sort()
  }

  private writeNow(file: string, text: string): void {
    const fd = this.descriptor(file)
    try {
      writeSync(fd, text)
    } catch (e) {
      throw errors.outputWrite(file, e)
    }
  }

  private descriptor(file: string): number {
    const known = this.open.get(file)
    if (known !== undefined) {
      this.open.delete(file)
      this.open.set(file, known)
      return known
    }
    if (this.open.size >= this.maxOpen) {
      const [oldest, fd] = this.open.entries().next().value as [string, number]
      this.open.delete(oldest)
      this.closeFd(oldest, fd)
    }
    try {
      const dir = dirname(file)
      if (!this.dirs.has(dir)) {
        mkdirSync(dir, { recursive: true })
        this.dirs.add(dir)
      }
      // The first open truncates what an earlier run left; later ones append.
      const fd = openSync(file, this.created.has(file) ? 'a' : 'w')
      this.created.add(file)
      this.open.set(file, fd)
      return fd
    } catch (e) {
      throw errors.outputWrite(file, e)
    }
  }

  private closeFd(file: string, fd: number): void {
    try {
      closeSync(fd)
    } catch (e) {
      throw errors.outputWrite(file, e)
    }
  }
}

/**
 * The community-format exports of a dataset under `dir` (the dataset's `exports/`): NAB
 * (`nab/data/<device>/<sensor>.csv` + `nab/labels/combined_windows.json`) and TimeEval
 * (`timeeval/<device>.csv` + `<device>.columns.json`). Rows stream into per-series files; nothing
 * holds the dataset in memory.
 *
 * @example
 * const exp = createDatasetExports('data/run1/exports', { sensorsOf })
 * for (const row of rows) exp.write(row)
 * const { files } = await exp.close(anomalyEvents)
 */
export function createDatasetExports(dir: string, opts: DatasetExportsOptions = {}): RowExport {
  const files = new AppendFiles(opts.maxOpenFiles, opts.maxBufferedBytes)
  const nab = createNabExport(join(dir, 'nab'), files)
  const timeeval = createTimeEvalExport(join(dir, 'timeeval'), files, opts.sensorsOf)
  return {
    write(row) {
      nab.write(row)
      timeeval.write(row)
    },
    async close(anomalies) {
      nab.finish(anomalies)
      timeeval.finish()
      return { files: files.close() }
    },
  }
}
