import { didYouMean, type Clock } from '../core/index.js'
import { COMMAND_EVENTS, FINAL_STATUSES, isCommandName, parseCommand, validateParams, type Command, type CommandName, type CommandReply } from './commands.js'
import type { FirmwareContext, FirmwareEvent } from './kit.js'

/** Gets every reply to one command, as it is sent (accepted, progress…, then the final one). */
export type ReplyListener = (reply: CommandReply) => void

/** What the handler needs from its device. */
export interface CommandHost {
  readonly clock: Clock
  /** Event types the device's firmware model handles somewhere: which commands the device supports. */
  readonly firmwareEvents: ReadonlySet<string>
  readonly sensors: readonly string[]
  /** The firmware's top-level state. */
  firmwareState(): string
  firmwareContext(): FirmwareContext
  /** Whether the firmware, as it is now, takes this event. */
  canFirmware(event: FirmwareEvent): boolean
  sendFirmware(event: FirmwareEvent): void
  /** Publishes on the command's reply topic; false when the link is down. `onFlushed` once it is out. */
  publishReply(reply: CommandReply, onFlushed?: () => void): boolean
  /** The next two draws of the device's seeded `ota` stream. */
  otaRolls(): { verifyRoll: number; bootRoll: number }
  seq(): number
  /** Once per command, with its first reply's status (metrics). */
  counted(name: string, status: CommandReply['status']): void
}

/** How long a device waits for its `accepted` reply to be acknowledged before it reboots anyway. */
const REBOOT_GRACE_MS = 2_000

/**
 * A device's command handling: parses and validates, asks the firmware, and makes sure every command
 * ends with exactly one final reply. Final replies that cannot be sent while the link is down (an OTA
 * that rolled back, a reboot's `done`) wait and go out, in order, as soon as the device is online.
 * Progress replies are not kept: one sent while offline is dropped.
 */
export class CommandHandler {
  /** Reply listeners by command id; made with the first one (most devices never get a command). */
  private listeners: Map<string, ReplyListener> | undefined
  /** Final replies waiting for the link, oldest first. */
  private readonly waiting: CommandReply[] = []
  /** Commands that end when the firmware is next up: reboot, factory-reset. */
  private readonly afterBoot: { id: string; what: string }[] = []

  constructor(private readonly host: CommandHost) {}

  /** Command names this device answers (ping, plus those its firmware model handles). */
  get supported(): CommandName[] {
    return (Object.keys(COMMAND_EVENTS) as CommandName[]).filter((n) => this.supports(n))
  }

  /** Final replies not sent yet (the device was offline). */
  get pendingFinals(): number {
    return this.waiting.length + this.afterBoot.length
  }

  /** A command from the broker (raw payload) or from the fleet (already a Command). */
  handle(input: Buffer | Command, listener?: ReplyListener): void {
    const parsed = Buffer.isBuffer(input) ? parseCommand(input) : { ok: true as const, command: input }
    if (!parsed.ok) {
      if (listener) (this.listeners ??= new Map()).set(parsed.id, listener)
      return this.reply({ id: parsed.id, status: 'rejected', reason: parsed.reason }, 'invalid')
    }
    const { id, name, params } = parsed.command
    if (listener) (this.listeners ??= new Map()).set(id, listener)
    if (!isCommandName(name) || !this.supports(name)) {
      const supported = this.supported
      const hint = didYouMean(name, supported)
      return this.reply({ id, status: 'rejected', reason: `unknown command "${name}" (${hint ? `${hint} ` : ''}supported: ${supported.join(', ')})` }, 'unknown')
    }
    const reject = (reason: string) => this.reply({ id, status: 'rejected', reason }, name)
    switch (name) {
      case 'ping': {
        const v = validateParams('ping', params)
        if (!v.ok) return reject(v.reason)
        return this.reply({ id, status: 'done', reason: `seq=${this.host.seq()}` }, name)
      }
      case 'reboot':
      case 'factory-reset': {
        const v = validateParams(name, params)
        if (!v.ok) return reject(v.reason)
        const event: FirmwareEvent = { type: name === 'reboot' ? 'command.reboot' : 'command.factory_reset' }
        if (!this.host.canFirmware(event)) return reject(`cannot ${name} while the firmware is ${this.host.firmwareState()}`)
        return this.acceptThenRestart(id, name, event)
      }
      case 'config-set': {
        const v = validateParams('config-set', params)
        if (!v.ok) return reject(v.reason)
        const unknown = Object.keys(v.params.thresholds ?? {}).filter((s) => !this.host.sensors.includes(s))
        if (unknown.length > 0) {
          return reject(unknown.map((s) => `params.thresholds: no sensor "${s}" — ${didYouMean(s, this.host.sensors) ?? `sensors: ${this.host.sensors.join(', ')}`}`).join('; '))
        }
        const event: FirmwareEvent = { type: 'command.config_set', config: { samplePeriodMs: v.params.samplePeriod, thresholds: v.params.thresholds } }
        if (!this.host.canFirmware(event)) return reject(`cannot change the config while the firmware is ${this.host.firmwareState()}`)
        this.host.sendFirmware(event)
        const parts = [v.params.samplePeriod !== undefined && `samplePeriod=${v.params.samplePeriod}ms`, v.params.thresholds && `thresholds for ${Object.keys(v.params.thresholds).join(', ')}`]
        return this.reply({ id, status: 'done', reason: `applied ${parts.filter(Boolean).join(', ')}` }, name)
      }
      case 'ota': {
        const v = validateParams('ota', params)
        if (!v.ok) return reject(v.reason)
        const fw = this.host.firmwareContext()
        if (fw.update) return reject(`an update is already in progress (command ${fw.update.cmdId}, to ${fw.update.version}, ${fw.update.stage})`)
        if (v.params.version === fw.version) return reject(`already running ${fw.version}`)
        const event = { type: 'command.ota' as const, cmdId: id, ...v.params, verifyRoll: 0, bootRoll: 0 }
        if (!this.host.canFirmware(event)) return reject(`cannot start an update while the firmware is ${this.host.firmwareState()}`)
        // Accepted goes out before the firmware starts: an update that fails at once still replies in order.
        this.reply({ id, status: 'accepted' }, name)
        this.host.sendFirmware({ ...event, ...this.host.otaRolls() })
        return
      }
    }
  }

  /** From the firmware: download progress of the update started by `cmdId`. */
  progress(cmdId: string, progress: number): void {
    this.send({ id: cmdId, status: 'progress', progress })
  }

  /** From the firmware: the update started by `cmdId` ended. */
  finished(cmdId: string, status: 'done' | 'failed', reason: string, version: string): void {
    this.send({ id: cmdId, status, reason, version })
  }

  /** The firmware is up again: reboots and factory resets are done (their replies go out once online). */
  firmwareUp(version: string): void {
    for (const { id, what } of this.afterBoot.splice(0)) this.waiting.push({ id, status: 'done', reason: `${what}; running ${version}`, version })
  }

  /** The link is up: send the final replies that waited for it. */
  flush(): void {
    while (this.waiting.length > 0) {
      if (!this.host.publishReply(this.waiting[0]!)) return
      this.delivered(this.waiting.shift()!)
    }
  }

  private supports(name: CommandName): boolean {
    const event = COMMAND_EVENTS[name]
    return event === undefined || this.host.firmwareEvents.has(event)
  }

  /** `accepted` first; once it is acknowledged (or after a grace period) the firmware restarts. */
  private acceptThenRestart(id: string, name: 'reboot' | 'factory-reset', event: FirmwareEvent): void {
    let restarted = false
    const restart = () => {
      if (restarted) return
      restarted = true
      this.host.clock.clearTimeout(grace)
      this.afterBoot.push({ id, what: name === 'reboot' ? 'rebooted' : 'factory reset' })
      this.host.sendFirmware(event)
    }
    const grace = this.host.clock.setTimeout(restart, REBOOT_GRACE_MS)
    this.reply({ id, status: 'accepted' }, name, restart)
  }

  /** A command's first reply: counted once. */
  private reply(r: CommandReply, name: string, onFlushed?: () => void): void {
    this.host.counted(name, r.status)
    this.send(r, onFlushed)
  }

  private send(r: CommandReply, onFlushed?: () => void): void {
    const final = FINAL_STATUSES.has(r.status)
    // Final replies keep their order: one may not overtake another that is waiting for the link.
    const sent = final && this.waiting.length > 0 ? false : this.host.publishReply(r, onFlushed)
    if (sent) this.delivered(r)
    else {
      if (final) this.waiting.push(r)
      onFlushed?.()
    }
  }

  private delivered(r: CommandReply): void {
    const listener = this.listeners?.get(r.id)
    if (!listener) return
    if (FINAL_STATUSES.has(r.status)) this.listeners?.delete(r.id)
    listener(r)
  }
}
