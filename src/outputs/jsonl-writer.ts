import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs'
import { dirname } from 'node:path'
import { errors } from '../core/index.js'

/**
 * Appends JSON lines, buffered and flushed in batches, synchronously — so a flush from a signal
 * handler or `process.on('exit')` lands on disk before the process ends.
 */
export class JsonlWriter {
  private pending: string[] = []

  constructor(
    readonly file: string,
    private readonly batch = 256,
  ) {
    try {
      mkdirSync(dirname(file), { recursive: true })
      writeFileSync(file, '')
    } catch (e) {
      throw errors.outputWrite(file, e)
    }
  }

  write(row: unknown): void {
    this.pending.push(JSON.stringify(row))
    if (this.pending.length >= this.batch) this.flush()
  }

  flush(): void {
    if (this.pending.length === 0) return
    const text = this.pending.join('\n') + '\n'
    this.pending = []
    try {
      appendFileSync(this.file, text)
    } catch (e) {
      throw errors.outputWrite(this.file, e)
    }
  }
}

export function writeJsonFile(file: string, value: unknown): void {
  try {
    mkdirSync(dirname(file), { recursive: true })
    writeFileSync(file, JSON.stringify(value, null, 2) + '\n')
  } catch (e) {
    throw errors.outputWrite(file, e)
  }
}
