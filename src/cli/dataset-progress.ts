import { formatDuration, RealClock } from '../core/index.js'
import type { DatasetProgress } from '../fleet/index.js'

/** Simulated time as a bar, rows/s and an ETA; redrawn on a TTY, a line every 5 s otherwise. */
export class DatasetProgressLine {
  private readonly wall = new RealClock()
  private lastPrint = 0
  private finished = false

  constructor(
    private readonly out: NodeJS.WriteStream = process.stderr,
    private readonly tty = Boolean(process.stderr.isTTY),
  ) {}

  update(p: DatasetProgress): void {
    const now = this.wall.now()
    if (now - this.lastPrint < (this.tty ? 200 : 5_000) && p.simulatedMs < p.durationMs) return
    this.lastPrint = now
    const frac = p.durationMs > 0 ? p.simulatedMs / p.durationMs : 1
    const width = 24
    const bar = '█'.repeat(Math.round(frac * width)).padEnd(width, '░')
    const rate = p.wallMs > 0 ? (p.rows * 1000) / p.wallMs : 0
    const eta = frac > 0 ? (p.wallMs / frac) * (1 - frac) : 0
    const line = `${bar} ${(frac * 100).toFixed(0).padStart(3)}%  ${formatDuration(p.simulatedMs)}/${formatDuration(p.durationMs)} simulated  ${p.rows} rows  ${Math.round(rate)} rows/s  ETA ${formatDuration(eta)}`
    this.out.write(this.tty ? `\r\x1b[K${line}` : `${line}\n`)
  }

  done(): void {
    if (this.finished) return
    this.finished = true
    if (this.tty) this.out.write('\r\x1b[K')
  }
}
