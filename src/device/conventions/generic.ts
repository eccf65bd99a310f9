import { expandTemplate } from '../../core/index.js'
import type { GenericTopicsSpec } from '../../spec/index.js'
import type { LinkWill } from '../../transport/index.js'
import { encodeJson } from '../../telemetry/index.js'
import { encodeReply, type CommandReply } from '../commands.js'
import type { OutboundMessage } from '../outbound.js'
import { UNENCODED, type ConventionHost, type PublishingConvention, type WireMessage } from './convention.js'

/**
 * The generic convention: JSON telemetry on `devices/{id}/telemetry`, `online`/`offline` retained on
 * the status topic (also the last will), JSON commands with replies, and the shadow
 * (docs/device-profile.md#topics-and-payloads).
 */
export class GenericConvention implements PublishingConvention {
  readonly kind = 'generic'
  readonly telemetryTopic: string
  private readonly status: string
  private readonly commands: string
  private readonly shadowDesired: string
  private readonly shadowReported: string
  private readonly offline: LinkWill

  constructor(
    topics: GenericTopicsSpec,
    vars: Record<string, string>,
    private readonly host: ConventionHost,
  ) {
    this.telemetryTopic = expandTemplate(topics.telemetry, vars)
    this.status = expandTemplate(topics.status, vars)
    this.commands = expandTemplate(topics.commands, vars)
    this.shadowDesired = expandTemplate(topics.shadowDesired, vars)
    this.shadowReported = expandTemplate(topics.shadowReported, vars)
    this.offline = { topic: this.status, payload: 'offline', qos: 1, retain: true }
  }

  get canPublish(): boolean {
    return this.host.link.connected
  }

  will(): LinkWill {
    return this.offline
  }

  online(): void {
    const link = this.host.link
    link.publish(this.status, 'online', { qos: 1, retain: true })
    link.subscribe(this.commands, 1)
    // A retained desired document comes with the subscription: a device that reconnects converges.
    link.subscribe(this.shadowDesired, 1)
  }

  lost(): void {}

  goodbye(): void {
    this.host.link.publish(this.status, 'offline', { qos: 1, retain: true })
  }

  encodeTelemetry(message: OutboundMessage): WireMessage | undefined {
    const link = this.host.link
    if (!link.connected) return undefined
    // Encoded only for a link whose far end reads bytes (not a dataset's: its rows come from samples).
    const payload = message.payload ?? (link.readsPayloads === false ? UNENCODED : encodeJson(message.fields))
    return { topic: message.topic, payload, qos: message.qos }
  }

  /** JSON does not change with when it is sent; raw payloads (faults') and payloads nobody reads stay as they are. */
  payloadForLater(message: OutboundMessage): Buffer | undefined {
    if (message.payload || this.host.link.readsPayloads === false) return undefined
    return encodeJson(message.fields)
  }

  message(topic: string, payload: Buffer): void {
    if (topic === this.commands) this.host.command(payload)
    else if (topic === this.shadowDesired) {
      const reported = this.host.shadowDesired(payload)
      if (reported !== undefined) this.host.link.publish(this.shadowReported, reported, { qos: 1, retain: true })
    }
  }

  publishReply(reply: CommandReply, onFlushed?: () => void): boolean {
    return this.host.link.publish(`${this.commands}/${reply.id}/reply`, encodeReply(reply), { qos: 1 }, onFlushed)
  }

  firmwareVersion(): void {}
}
