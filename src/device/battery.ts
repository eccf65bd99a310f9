import type { Rng } from '../core/index.js'
import type { DeviceProfile } from '../spec/index.js'

export type BatteryLevel = 'ok' | 'low' | 'critical' | 'dead'

/**
 * Coulomb-counting battery: idle current over time plus a fixed charge per message. Cheap enough to
 * run on every sample; the device machine only hears about threshold crossings.
 */
export class BatteryModel {
  private remainingMah: number
  private readonly spec: NonNullable<DeviceProfile['battery']>

  constructor(spec: NonNullable<DeviceProfile['battery']>, boot: Rng) {
    this.spec = spec
    const init = spec.initialPercent
    const percent = typeof init === 'number' ? init : boot.uniform(Math.min(init[0], init[1]), Math.max(init[0], init[1]))
    this.remainingMah = (spec.capacityMah * percent) / 100
  }

  /** Extra current drawn on top of idle (a battery-drain fault), mA. */
  extraMa = 0

  /** Drains idle (+ extra) current for `ms` and `messages` transmissions; returns the level after. */
  drain(ms: number, messages: number): BatteryLevel {
    this.remainingMah = Math.max(0, this.remainingMah - ((this.spec.idleMa + this.extraMa) * ms) / 3_600_000 - this.spec.perMessageMah * messages)
    return this.level()
  }

  get percent(): number {
    return (100 * this.remainingMah) / this.spec.capacityMah
  }

  level(): BatteryLevel {
    const p = this.percent
    if (p <= 0) return 'dead'
    if (p <= this.spec.criticalPercent) return 'critical'
    if (p <= this.spec.lowPercent) return 'low'
    return 'ok'
  }
}
