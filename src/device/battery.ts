import type { Rng } from '../core/index.js'
import type { DeviceProfile } from '../spec/index.js'

export type BatteryLevel = 'ok' | 'low' | 'critical' | 'dead'

type BatterySpec = NonNullable<DeviceProfile['battery']>
type ChargingSpec = NonNullable<BatterySpec['charging']>

const HOUR_MS = 3_600_000

/**
 * Coulomb-counting battery: idle current over time plus a fixed charge per message, less what a
 * charger puts back. Cheap enough to run on every sample; the device machine only hears about
 * threshold crossings. A dead device draws nothing; with a charger it powers up again once the
 * charge is back above `charging.resumePercent`.
 */
export class BatteryModel {
  private remainingMah: number
  private readonly spec: BatterySpec
  private readonly charger: Charger | undefined

  constructor(spec: BatterySpec, boot: Rng, charging?: Rng) {
    this.spec = spec
    const init = spec.initialPercent
    const percent = typeof init === 'number' ? init : boot.uniform(Math.min(init[0], init[1]), Math.max(init[0], init[1]))
    this.remainingMah = (spec.capacityMah * percent) / 100
    this.charger = spec.charging && charging ? new Charger(spec.charging, charging) : undefined
  }

  /** Extra current drawn on top of idle (a battery-drain fault), mA. */
  extraMa = 0

  /**
   * Drains idle (+ extra) current over the `ms` before `atRelMs` (run-relative time) and `messages`
   * transmissions, adds what the charger gave in that time; returns the level after. `running`:
   * false while the device is dead (it draws nothing then, and only charges).
   */
  drain(ms: number, messages: number, atRelMs = 0, running = true): BatteryLevel {
    const used = running ? ((this.spec.idleMa + this.extraMa) * ms) / HOUR_MS + this.spec.perMessageMah * messages : 0
    const charged = this.charger && ms > 0 ? this.charger.mahBetween(atRelMs - ms, atRelMs) : 0
    this.remainingMah = Math.min(this.spec.capacityMah, Math.max(0, this.remainingMah - used + charged))
    return this.level()
  }

  get percent(): number {
    return (100 * this.remainingMah) / this.spec.capacityMah
  }

  /** Whether a dead device has charged enough to boot again. */
  get canResume(): boolean {
    return this.charger !== undefined && this.percent > this.spec.charging!.resumePercent
  }

  /** Charging current now, mA (0 without a charger or at night). */
  chargingMa(atRelMs: number): number {
    return this.charger?.currentMa(atRelMs) ?? 0
  }

  level(): BatteryLevel {
    const p = this.percent
    if (p <= 0) return 'dead'
    if (p <= this.spec.criticalPercent) return 'critical'
    if (p <= this.spec.lowPercent) return 'low'
    return 'ok'
  }
}

/**
 * A charger as a current over time of day. `constant`: mains or USB, the same current always.
 * `solar`: a half sine from sunrise to sunset peaking at `peakMa` at solar noon, each day scaled by
 * that day's weather, drawn in [1 − weather, 1] from the device's `charging` stream, day by day.
 * Charge over an interval is integrated exactly, so the sample period does not change the answer.
 */
class Charger {
  private readonly dayFactors: number[] = []

  constructor(
    private readonly spec: ChargingSpec,
    private readonly rng: Rng,
  ) {}

  currentMa(atRelMs: number): number {
    const s = this.spec
    if (s.kind === 'constant') return s.ma
    const h = s.startHour + atRelMs / HOUR_MS
    const day = Math.floor(h / 24)
    const x = h - day * 24 - s.sunrise
    const len = s.sunset - s.sunrise
    return x <= 0 || x >= len ? 0 : s.peakMa * this.dayFactor(day) * Math.sin((Math.PI * x) / len)
  }

  mahBetween(fromRelMs: number, toRelMs: number): number {
    const s = this.spec
    if (s.kind === 'constant') return (s.ma * (toRelMs - fromRelMs)) / HOUR_MS
    const h0 = s.startHour + fromRelMs / HOUR_MS
    const h1 = s.startHour + toRelMs / HOUR_MS
    const len = s.sunset - s.sunrise
    let mah = 0
    for (let day = Math.floor(h0 / 24); day * 24 < h1; day++) {
      // That day's daylight ∩ [h0, h1], as hours after sunrise; ∫ peak·sin(πx/len) dx = peak·len/π·(cos a − cos b).
      const a = Math.max(0, h0 - day * 24 - s.sunrise)
      const b = Math.min(len, h1 - day * 24 - s.sunrise)
      if (b > a) mah += ((s.peakMa * this.dayFactor(day) * len) / Math.PI) * (Math.cos((Math.PI * a) / len) - Math.cos((Math.PI * b) / len))
    }
    return mah
  }

  /** Draws are made in day order whatever the query order, so a day's weather depends only on the seed. */
  private dayFactor(day: number): number {
    if (this.spec.kind !== 'solar' || this.spec.weather === 0 || day < 0) return 1
    while (this.dayFactors.length <= day) this.dayFactors.push(1 - this.spec.weather * this.rng.next())
    return this.dayFactors[day]!
  }
}
