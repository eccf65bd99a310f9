import { createHash, type Hash } from 'node:crypto'
import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { errors } from '../../core/index.js'
import { createNabExport, writeNabLabels as writeLabels, type NabSeries } from './nab-export.js'
export { safeFileName, type NabSeries } from './nab-export.js'
import type { SampleRows, TelemetryRow } from './row.js'
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
  /** All rows of one sample at once (the same bytes as writing them one by one). */
  writeSample(s: SampleRows): void
  /** Finishes every file; returns the files written (absolute paths, sorted). */
  close(anomalies: readonly ExportAnomaly[]): Promise<{ files: string[] }>
  /**
   * Finishes the data files only, for a dataset written by several workers: each writes its devices'
   * files, and one of them the labels over all of them ({@link writeNabLabels}, with every worker's
   * `nabSeries`). Returns the files written (sorted, with their size and sha256) and the NAB series
   * that have a file.
   */
  closeData(): { files: { file: string; bytes: number; sha256: string }[]; nabSeries: NabSeries[] }
}

export interface DatasetExportsOptions {
  /**
   * The sensors of a device, in profile order: the column order of its TimeEval file. Without it,
   * the order of the device's first sample is used.
   */
  sensorsOf?: (deviceId: string) => readonly string[]
  /** Most files held open between writes, over all exports (default 1024). */
  maxOpenFiles?: number
  /** Most bytes buffered before every file is flushed (default 16 MiB). */
  maxBufferedBytes?: number
}

/** One file's buffered bytes (see AppendFiles.handle). */
export interface AppendHandle {
  readonly file: string
  /**
   * Buffered, not written yet: bytes, not strings, so that millions of small appends leave only
   * short-lived garbage (held strings would age into the old generation and cost a full GC each).
   */
  buf: Buffer
  length: number
  /** Waiting for the next flush. */
  queued: boolean
}

const EMPTY = Buffer.alloc(0)

/**
 * Appends text to many files with few descriptors: text is buffered per file and flushed when the
 * total passes `maxBufferedBytes`; at most `maxOpen` descriptors stay open between flushes. A fleet of
 * 1,000 devices × 3 sensors is 4,000 export files, and the process has 20,000 descriptors in all.
 * Writes are synchronous: flush order cannot change the bytes, and a run cut short by a signal can
 * still close the files from its handler.
 */
export class AppendFiles {
  private readonly handles = new Map<string, AppendHandle>()
  /** Handles with buffered text, in the order they got it. */
  private dirty: AppendHandle[] = []
  private pendingBytes = 0
  /** file → descriptor, of the files kept open. */
  private readonly open = new Map<string, number>()
  /** Every file written, with the sha256 of its bytes so far (a manifest needs no second read). */
  private readonly created = new Map<string, { hash: Hash; bytes: number }>()
  private readonly dirs = new Set<string>()

  constructor(
    private readonly maxOpen = 1024,
    private readonly maxBufferedBytes = 16 << 20,
  ) {
    if (!Number.isInteger(maxOpen) || maxOpen < 1) throw errors.internal(`maxOpenFiles must be a positive integer, got ${maxOpen}`)
  }

  /** Descriptors open right now (never more than maxOpen). */
  get openFiles(): number {
    return this.open.size
  }

  /** The buffer of one file: keep it and append through {@link appendTo} (no lookup per append). */
  handle(file: string): AppendHandle {
    let h = this.handles.get(file)
    if (!h) this.handles.set(file, (h = { file, buf: EMPTY, length: 0, queued: false }))
    return h
  }

  append(file: string, text: string): void {
    this.appendTo(this.handle(file), text)
  }

  appendTo(h: AppendHandle, text: string): void {
    if (!h.queued) {
      h.queued = true
      this.dirty.push(h)
    }
    // At most 3 bytes per UTF-16 unit: make room for the worst case, then write.
    if (h.length + 3 * text.length > h.buf.length) {
      const grown = Buffer.allocUnsafe(Math.max(4096, 2 * h.buf.length, h.length + 3 * text.length))
      h.buf.copy(grown, 0, 0, h.length)
      h.buf = grown
    }
    const n = h.buf.write(text, h.length)
    h.length += n
    this.pendingBytes += n
    if (this.pendingBytes > this.maxBufferedBytes) this.flush()
  }

  /** Writes every buffered text to its file. */
  flush(): void {
    for (const h of this.dirty) {
      const bytes = h.buf.subarray(0, h.length)
      h.length = 0
      h.queued = false
      // Even with nothing to write (only '' appended), the file is created.
      this.writeNow(h.file, bytes)
    }
    this.dirty = []
    this.pendingBytes = 0
  }

  /** Flushes and closes every file; returns all files ever written, sorted. */
  close(): string[] {
    this.flush()
    for (const [file, fd] of this.open) this.closeFd(file, fd)
    this.open.clear()
    return [...this.created.keys()].sort()
  }

  /** Size and sha256 of every file written, after {@link close}. */
  digests(): Map<string, { bytes: number; sha256: string }> {
    return new Map([...this.created].map(([file, c]) => [file, { bytes: c.bytes, sha256: c.hash.copy().digest('hex') }]))
  }

  /** Writes a whole file now (one that is written once, such as a column map), holding no descriptor. */
  writeFile(file: string, text: string): void {
    const fd = this.openFile(file)
    this.writeFd(file, fd, Buffer.from(text))
    this.closeFd(file, fd)
  }

  private writeNow(file: string, bytes: Buffer): void {
    let fd = this.open.get(file)
    if (fd !== undefined) return this.writeFd(file, fd, bytes)
    fd = this.openFile(file)
    this.writeFd(file, fd, bytes)
    // Files are flushed in about the same order every time, a cycle an LRU would miss on every
    // file once it is longer than the cap: keep the first maxOpen open, open the others per write.
    if (this.open.size < this.maxOpen) this.open.set(file, fd)
    else this.closeFd(file, fd)
  }

  private writeFd(file: string, fd: number, bytes: Buffer): void {
    try {
      for (let off = 0; off < bytes.length; ) off += writeSync(fd, bytes, off)
    } catch (e) {
      throw errors.outputWrite(file, e)
    }
    const c = this.created.get(file)!
    c.hash.update(bytes)
    c.bytes += bytes.length
  }

  private openFile(file: string): number {
    try {
      const dir = dirname(file)
      if (!this.dirs.has(dir)) {
        mkdirSync(dir, { recursive: true })
        this.dirs.add(dir)
      }
      // The first open truncates what an earlier run left; later ones append.
      const fd = openSync(file, this.created.has(file) ? 'a' : 'w')
      if (!this.created.has(file)) this.created.set(file, { hash: createHash('sha256'), bytes: 0 })
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
    writeSample(sample) {
      nab.writeSample(sample)
      timeeval.writeSample(sample)
    },
    async close(anomalies) {
      nab.finish(anomalies)
      timeeval.finish()
      return { files: files.close() }
    },
    closeData() {
      timeeval.finish()
      const nabSeries = nab.series()
      const written = files.close()
      const digests = files.digests()
      return { files: written.map((file) => ({ file, ...digests.get(file)! })), nabSeries }
    },
  }
}

/**
 * NAB's `labels/combined_windows.json` under `dir` (the dataset's `exports/`) over the series of every
 * worker (see RowExport.closeData); returns the file written.
 */
export function writeNabLabels(dir: string, series: readonly NabSeries[], anomalies: readonly ExportAnomaly[]): string {
  const files = new AppendFiles(1)
  const file = writeLabels(join(dir, 'nab'), series, anomalies, files)
  files.close()
  return file
}
