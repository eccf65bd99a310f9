import type { DeviceRegion } from '../device/index.js'

/**
 * Running totals the fleet keeps for its summary and for O(1) `count()` queries: how many devices are
 * in each state of each region, and counters for connects, disconnects and messages.
 */
export class FleetStats {
  /** region → state → devices; also per profile for connectivity (the metrics gauge). */
  private readonly byState = new Map<DeviceRegion, Map<string, number>>()
  readonly connectivityByProfile = new Map<string, Map<string, number>>()
  connectAttempts = 0
  readonly connectOutcomes: Record<string, number> = {}
  readonly disconnects: Record<string, number> = {}
  messagesPublished = 0
  bytesPublished = 0
  droppedOffline = 0
  samples = 0
  commands = 0
  /** Per-profile message totals (the metrics read them at scrape time). */
  readonly byProfile = new Map<string, { messages: number; bytes: number; droppedOffline: number }>()

  profileTotals(profile: string): { messages: number; bytes: number; droppedOffline: number } {
    let t = this.byProfile.get(profile)
    if (!t) this.byProfile.set(profile, (t = { messages: 0, bytes: 0, droppedOffline: 0 }))
    return t
  }

  /** Clock ms when every device was first online at once (undefined until then). */
  allOnlineAtMs: number | undefined

  moved(region: DeviceRegion, profile: string, from: string | undefined, to: string): void {
    const m = this.byState.get(region) ?? this.byState.set(region, new Map()).get(region)!
    if (from !== undefined) m.set(from, (m.get(from) ?? 0) - 1)
    m.set(to, (m.get(to) ?? 0) + 1)
    if (region === 'connectivity') {
      const p = this.connectivityByProfile.get(profile) ?? this.connectivityByProfile.set(profile, new Map()).get(profile)!
      if (from !== undefined) p.set(from, (p.get(from) ?? 0) - 1)
      p.set(to, (p.get(to) ?? 0) + 1)
    }
  }

  inState(region: DeviceRegion, state: string): number {
    return this.byState.get(region)?.get(state) ?? 0
  }

  states(region: DeviceRegion): Record<string, number> {
    return Object.fromEntries([...(this.byState.get(region) ?? new Map<string, number>())].filter(([, n]) => n > 0).sort())
  }

  connectSuccessRate(): number | null {
    return this.connectAttempts === 0 ? null : (this.connectOutcomes.success ?? 0) / this.connectAttempts
  }
}
