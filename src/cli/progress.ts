import { RealClock, formatDuration, type TimerHandle } from '../core/index.js'
import type { Fleet } from '../fleet/index.js'
import { formatLatency } from './print-summary.js'

/**
 * The live progress line: devices online, messages/s published and (where the run is measured)
 * delivered, how many are in flight and the last interval's latency p99, and active faults. In flight
 * growing second after second is the emulator or the broker falling behind. Rewritten in place on a
 * TTY (twice a second); a plain line every 5 s otherwise (CI logs). Wall-clock ticks, whatever the
 * fleet's clock speed.
 */
export class ProgressLine {
  private readonly wall = new RealClock()
  private timer: TimerHandle | undefined
  private lastMessages = 0
  private lastDelivered = 0
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
    const perSecond = (count: number, last: number) => (now > this.lastAt ? Math.round(((count - last) * 1000) / (now - this.lastAt)) : 0)
    const msgs = f.stats.messagesPublished
    const rate = perSecond(msgs, this.lastMessages)
    this.lastMessages = msgs
    const measured = this.delivery(perSecond)
    this.lastAt = now
    const states = f.stats.states('connectivity')
    const others = Object.entries(states)
      .filter(([s]) => s !== 'online')
      .map(([s, n]) => `${s} ${n}`)
      .join(' · ')
    const faults = [...f.activeFaults()].map(([k, n]) => `${k}×${n}`).join(' ')
    const elapsed = `${formatDuration(Math.min(f.elapsedMs(), f.durationMs))}/${formatDuration(f.durationMs)}`
    return `[${elapsed}] online ${states.online ?? 0}/${f.size}${others ? ` · ${others}` : ''} · ${rate} msg/s${measured} · faults: ${faults || 'none'}`
  }

  /** ` · delivered N/s · in flight N · p99 N ms` from the delivery probe; empty where there is none. */
  private delivery(perSecond: (count: number, last: number) => number): string {
    const m = this.fleet.measurements
    if (!m) return ''
    const delivered = m.probe.counts.delivered
    const rate = perSecond(delivered, this.lastDelivered)
    this.lastDelivered = delivered
    const p99 = m.timeline().points.at(-1)?.latencyP99Ms
    return ` · delivered ${rate}/s · in flight ${m.probe.inFlight}${p99 === null || p99 === undefined ? '' : ` · p99 ${formatLatency(p99)}`}`
  }

  private render(): void {
    const text = this.line()
    if (this.tty) this.out.write(`\r\x1b[K${text.slice(0, (this.out.columns || 120) - 1)}`)
    else this.out.write(`${text}\n`)
  }
}
