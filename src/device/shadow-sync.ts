import type { Clock } from '../core/index.js'
import type { FirmwareEvent } from './kit.js'
import { SHADOW_SETTINGS, encodeReported, reconcileShadow, type ShadowSetting } from './shadow.js'

/** What shadow handling needs from its device. */
export interface ShadowHost {
  readonly clock: Clock
  readonly firmwareModel: string
  readonly sensors: readonly string[]
  /** Whether the firmware model has a `config-set` (then thresholds are supported too). */
  configurable(): boolean
  firmwareState(): string
  canFirmware(event: FirmwareEvent): boolean
  sendFirmware(event: FirmwareEvent): void
  setSamplePeriod(periodMs: number): void
}

/**
 * One device's side of the shadow: supported settings of a desired document go through the config
 * path (the firmware's `config-set` when its model has one, else the sample period directly); the
 * reported document says what is in force and what could not be applied. Bad input is reported,
 * never thrown. Made on a device's first desired document (most never get one).
 */
export class ShadowSync {
  /** The reported state so far. */
  private state: Record<string, unknown> = {}
  /** Desired documents received: the version of one that has none. */
  private count = 0

  constructor(private readonly host: ShadowHost) {}

  /** Handles a desired payload; returns the reported document to publish (retained), if any. */
  desired(payload: Buffer): string | undefined {
    const host = this.host
    const configurable = host.configurable()
    const supported = new Set<ShadowSetting>(configurable ? SHADOW_SETTINGS : ['samplePeriod'])
    const result = reconcileShadow(payload, {
      supported,
      unsupportedReason: () => `firmware model "${host.firmwareModel}" has no config-set`,
      sensors: host.sensors,
      state: this.state,
      counter: ++this.count,
      now: host.clock.now(),
    })
    if (!result) return undefined
    const config = result.apply
    if (config) {
      const event: FirmwareEvent = { type: 'command.config_set', config }
      const canFirmware = configurable && host.canFirmware(event)
      if (canFirmware) host.sendFirmware(event)
      else if (config.samplePeriodMs !== undefined) host.setSamplePeriod(config.samplePeriodMs)
      if (!canFirmware && config.thresholds) {
        // Not applied: the thresholds in force stay reported.
        if (this.state.thresholds === undefined) delete result.reported.state.thresholds
        else result.reported.state.thresholds = this.state.thresholds
        result.reported.unsupported.thresholds = `cannot change the config while the firmware is ${host.firmwareState()}`
      }
    }
    this.state = result.reported.state
    return encodeReported(result.reported)
  }
}
