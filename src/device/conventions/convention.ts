import type { Clock } from '../../core/index.js'
import type { DeviceProfile } from '../../spec/index.js'
import type { DeviceLink, LinkWill } from '../../transport/index.js'
import type { CommandReply } from '../commands.js'
import type { OutboundMessage } from '../outbound.js'
import { SPARKPLUG_NAMESPACE } from '../sparkplug-session.js'

/**
 * How a device speaks on MQTT: which topics, which payloads, what it says when it comes and goes.
 * A profile's `topics.convention` picks one: `generic` (JSON on `devices/{id}/…`, retained status,
 * JSON commands and shadow) or `sparkplug` (Sparkplug B births, data and deaths, NCMD/DCMD). The
 * device owns everything else — firmware, battery, sampling, the offline buffer, faults — and hands
 * the convention each message to put on the wire.
 */
export interface PublishingConvention {
  readonly kind: DeviceProfile['topics']['convention']
  /** The topic telemetry goes out on (the delivery probe matches deliveries by it). */
  readonly telemetryTopic: string
  /** True when a telemetry message can go out now (the session is up, births sent). */
  readonly canPublish: boolean
  /** The last will of the next CONNECT; called once per connect attempt. */
  will(): LinkWill
  /** CONNACK arrived: announce the device and subscribe to what it listens to. */
  online(): void
  /** The session ended without a goodbye of ours (the broker published the will). */
  lost(): void
  /** Before a deliberate MQTT DISCONNECT: the message the will would have been. */
  goodbye(): void
  /**
   * Encodes one telemetry message for the wire, now (`historical`: it comes late from the offline
   * buffer); the device publishes it. Undefined when it cannot go out now.
   */
  encodeTelemetry(message: OutboundMessage, historical: boolean): WireMessage | undefined
  /**
   * The payload of a message that goes out later, made now if its bytes do not depend on when it is
   * sent; the offline buffer then keeps only those. Undefined: the message is kept as it is.
   */
  payloadForLater(message: OutboundMessage): Buffer | undefined
  /** A message on a subscribed topic. Bad input is handled (reported, counted), never thrown. */
  message(topic: string, payload: Buffer): void
  /** Publishes a command reply; false when the link is down (final replies then wait). */
  publishReply(reply: CommandReply, onFlushed?: () => void): boolean
  /** The running firmware version changed (an update, a rollback). */
  firmwareVersion(version: string): void
}

/** A telemetry message as it goes on the wire. */
export interface WireMessage {
  topic: string
  payload: Buffer
  qos: 0 | 1
  /** The payload's own sequence number when it has one besides the device's (Sparkplug's 0..255 seq). */
  wireSeq?: number
}

/** What a convention may use of its device. */
export interface ConventionHost {
  readonly id: string
  readonly link: DeviceLink
  readonly clock: Clock
  /** A JSON command arrived (generic convention). */
  command(payload: Buffer): void
  /** A desired shadow document arrived; returns the reported document to publish, if any (generic). */
  shadowDesired(payload: Buffer): string | undefined
  /** A host asked for a reboot (Sparkplug `Node Control/Reboot`); false when the firmware cannot now. */
  reboot(): boolean
  /** Once per command from the wire that is not a JSON command (metrics). */
  counted(name: string, status: CommandReply['status']): void
}

/** The payload of a telemetry message nobody reads (see DeviceLink.readsPayloads). */
export const UNENCODED = Buffer.alloc(0)


/** A profile's telemetry topic as a template (`{id}`, `{group}`, `{profile}` not expanded yet). */
export function telemetryTopicTemplate(profile: DeviceProfile): string {
  const t = profile.topics
  return t.convention === 'sparkplug' ? `${SPARKPLUG_NAMESPACE}/${t.groupId}/DDATA/${t.edgeNodeId}/${t.deviceId}` : t.telemetry
}
