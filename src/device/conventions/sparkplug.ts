import { expandTemplate } from '../../core/index.js'
import type { DeviceProfile, SparkplugTopicsSpec } from '../../spec/index.js'
import type { SparkplugDataType } from '../../telemetry/codecs/sparkplug.js'
import type { LinkWill } from '../../transport/index.js'
import type { CommandReply } from '../commands.js'
import type { OutboundMessage } from '../outbound.js'
import { SparkplugSession, type SparkplugMessage, type SparkplugValue } from '../sparkplug-session.js'
import { UNENCODED, type ConventionHost, type PublishingConvention, type WireMessage } from './convention.js'

/** The DBIRTH property that carries the running firmware version. */
export const FW_PROPERTY = 'Properties/FW'

/**
 * Sparkplug B (docs/sparkplug.md): the device is one edge node with one Sparkplug device carrying
 * its sensors (and `battery`). Every CONNECT registers the session's NDEATH (with that CONNECT's
 * bdSeq) as its will; after CONNACK the node subscribes to NCMD/DCMD and publishes NBIRTH + DBIRTH;
 * each sample is a DDATA (QoS 0, whatever `telemetry.qos` says); buffered samples sent after a
 * reconnect are flagged `is_historical`; an NDEATH goes out before a clean disconnect.
 */
export class SparkplugConvention implements PublishingConvention {
  readonly kind = 'sparkplug'
  readonly session: SparkplugSession
  private readonly hasBattery: boolean

  constructor(
    topics: SparkplugTopicsSpec,
    profile: DeviceProfile,
    vars: Record<string, string>,
    private readonly host: ConventionHost,
  ) {
    const metrics: Record<string, SparkplugDataType> = {}
    for (const sensor of Object.keys(profile.sensors)) metrics[sensor] = 'Double'
    this.hasBattery = profile.battery !== undefined
    if (this.hasBattery) metrics.battery = 'Double'
    this.session = new SparkplugSession({
      groupId: expandTemplate(topics.groupId, vars),
      edgeNodeId: expandTemplate(topics.edgeNodeId, vars),
      deviceId: expandTemplate(topics.deviceId, vars),
      metrics,
      properties: { [FW_PROPERTY]: profile.firmware.version },
    })
  }

  get telemetryTopic(): string {
    return this.session.topics.ddata
  }

  get canPublish(): boolean {
    return this.host.link.connected && this.session.online
  }

  will(): LinkWill {
    const ndeath = this.session.connect(this.now())
    return { topic: ndeath.topic, payload: ndeath.payload, qos: ndeath.qos, retain: ndeath.retain }
  }

  online(): void {
    // Subscribed before the births, so a rebirth request sent in answer to the NBIRTH is not missed.
    for (const topic of this.session.commandTopics) this.host.link.subscribe(topic, 1)
    this.publishAll(this.session.birth(this.now()))
  }

  lost(): void {
    this.session.connectionLost()
  }

  goodbye(): void {
    if (this.session.bdSeq === undefined || !this.host.link.connected) return
    const ndeath = this.session.nodeDeath(this.now())
    this.host.link.publish(ndeath.topic, ndeath.payload, { qos: ndeath.qos, retain: false })
  }

  /** A DDATA takes its seq and `is_historical` when it is published: encoded then, not before. */
  payloadForLater(): undefined {
    return undefined
  }

  encodeTelemetry(message: OutboundMessage, historical: boolean): WireMessage | undefined {
    if (!this.canPublish) return undefined
    // A dataset's in-process link reads no bytes: nothing to encode (and no seq to take).
    if (this.host.link.readsPayloads === false) return { topic: this.session.topics.ddata, payload: UNENCODED, qos: 0 }
    const f = message.fields
    const values: Record<string, SparkplugValue> = { ...f.values }
    if (this.hasBattery && f.battery !== undefined) values.battery = f.battery
    const edits = message.sparkplug
    const ddata = this.session.data({ ts: epochMs(f.ts), values }, { historical, editMetrics: edits?.metrics })
    const payload = edits?.bytes ? edits.bytes(ddata.payload) : ddata.payload
    // Sparkplug: data at QoS 0, whatever telemetry.qos says.
    return { topic: ddata.topic, payload, qos: 0, wireSeq: ddata.seq }
  }

  message(topic: string, payload: Buffer): void {
    const result = this.session.handleCommand(topic, payload, this.now())
    if (result.target === 'none') return
    const count = (name: string, status: CommandReply['status']) => this.host.counted(name, status)
    if (result.problems.length > 0) count('invalid', 'rejected')
    if (result.publish.length > 0) {
      count(result.publish[0]!.type === 'NBIRTH' ? 'rebirth' : 'device-rebirth', 'done')
      this.publishAll(result.publish)
    }
    // Sensors are read-only: a write to a device metric is refused.
    if (result.writes.length > 0) count('write', 'rejected')
    if (result.reboot) count('reboot', this.host.reboot() ? 'accepted' : 'rejected')
  }

  /** Sparkplug has no reply topic: replies reach only in-process listeners (fleet.command()). */
  publishReply(_reply: CommandReply, onFlushed?: () => void): boolean {
    if (!this.host.link.connected) return false
    onFlushed?.()
    return true
  }

  firmwareVersion(version: string): void {
    // Hosts see it at the next birth: an update reboots the device, so that is its NBIRTH/DBIRTH.
    this.session.setProperty(FW_PROPERTY, version)
  }

  private publishAll(messages: readonly SparkplugMessage[]): void {
    for (const m of messages) this.host.link.publish(m.topic, m.payload, { qos: m.qos, retain: m.retain })
  }

  private now(): number {
    return epochMs(this.host.clock.now())
  }
}

/** Sparkplug timestamps are uint64 epoch ms: whole, and not before 1970 (a skewed clock may try). */
function epochMs(ms: number): number {
  return Math.max(0, Math.round(ms))
}
