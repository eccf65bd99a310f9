import { RealClock, formatDuration, type TimerHandle } from '../core/index.js'
import type { Fleet } from '../fleet/index.js'

/**
 * The live progress line: devices online, messages/s and active faults. Rewritten in place on a TTY
 * (twice a second); a plain line every 5 s otherwise (CI logs). Wall-clock ticks, whatever the
 * fleet's clock speed.
 */
export class ProgressLine {
  private readonly wall = new RealClock()
  private timer: TimerHandle | undefined
  private lastMessages = 0
  private lastAt = 0

  constructor(
    private readonly fleet: Fleet,
    private readonly out: NodeJS.WriteStream = process.stderr,
    private readonly tty = Boolean(process.stderr.isTTY),
  ) {}

  start(): void {
    this.lastAt = this.wall.now()
    const every = this.tty ? 500 : 5_000
    const tick = () => {
      this.render()
      this.timer = this.wall.setTimeout(tick, every)
    }
    this.timer = this.wall.setTimeout(tick, every)
  }

  stop(): void {
    if (this.timer !== undefined) this.wall.clearTimeout(this.timer)
    if (this.tty) this.out.write('\r\x1b[K')
  }

  line(): string {
    const f = this.fleet
    const now = this.wall.now()
    const msgs = f.stats.messagesPublished
    const rate = now > this.lastAt ? ((msgs - this.lastMessages) * 1000) / (now - this.lastAt) : 0
    this.lastMessages = msgs
    this.lastAt = now
    const states = f.stats.states('connectivity')
    const others = Object.entries(states)
      .filter(([s]) => s !== 'online')
      .map(([s, n]) => `${s} ${n}`)
      .join(' · ')
    const faults = [...f.activeFaults()].map(([k, n]) => `${k}×${n}`).join(' ')
    const elapsed = `${formatDuration(Math.min(f.elapsedMs(), f.durationMs))}/${formatDuration(f.durationMs)}`
    return `[${elapsed}] online ${states.online ?? 0}/${f.size}${others ? ` · ${others}` : ''} · ${Math.round(rate)} msg/s · faults: ${faults || 'none'}`
  }

  private render(): void {
    const text = this.line()
    if (this.tty) this.out.write(`\r\x1b[K${text.slice(0, (this.out.columns || 120) - 1)}`)
    else this.out.write(`${text}\n`)
  }
}
