import { errors } from '../core/index.js'
import {
  decodeSparkplug,
  encodeSparkplug,
  type DecodedSparkplugMetric,
  type SparkplugDataType,
  type SparkplugMetric,
  type SparkplugPayload,
} from '../telemetry/codecs/sparkplug.js'

/** The Sparkplug B topic namespace. */
export const SPARKPLUG_NAMESPACE = 'spBv1.0'

export type SparkplugMessageType = 'NBIRTH' | 'NDEATH' | 'DBIRTH' | 'DDEATH' | 'NDATA' | 'DDATA' | 'NCMD' | 'DCMD'

export type SparkplugValue = number | bigint | boolean | string | null

/** A message for the link: where, what, and how (Sparkplug fixes QoS and retain per message type). */
export interface SparkplugMessage {
  type: SparkplugMessageType
  topic: string
  payload: Buffer
  qos: 0 | 1
  retain: false
  /** The payload's seq; absent on NDEATH, which has none. */
  seq?: number
  /** The bdSeq of the MQTT connection this message belongs to. */
  bdSeq: number
}

export interface SparkplugTopics {
  nbirth: string
  ndeath: string
  ncmd: string
  dbirth: string
  ddata: string
  ddeath: string
  dcmd: string
}

export interface SparkplugSessionOptions {
  groupId: string
  edgeNodeId: string
  /** The one Sparkplug device under this edge node that carries the sensors. */
  deviceId: string
  /** The device's metrics in birth order, name → datatype (sensor readings are `Double`). */
  metrics: Readonly<Record<string, SparkplugDataType>>
  /** String metrics for the DBIRTH, e.g. `{ 'Properties/FW': '1.2.0' }`. */
  properties?: Readonly<Record<string, string>>
  /** bdSeq of the first CONNECT (default 0, as the spec requires of a node that never connected). */
  firstBdSeq?: number
}

export interface SparkplugDataOptions {
  /** Store-and-forward data sent late: every metric is flagged `is_historical`, and not remembered for births. */
  historical?: boolean
  /** Changes the metric list before it is encoded (fault injection: a renamed or retyped metric). */
  editMetrics?: (metrics: SparkplugMetric[]) => SparkplugMetric[]
}

/** What a command from a host asks of the device. Bad input is reported in `problems`, never thrown. */
export interface SparkplugCommandResult {
  target: 'node' | 'device' | 'none'
  /** Messages to publish now, in this order (the birth certificates after a rebirth request). */
  publish: SparkplugMessage[]
  /** `Node Control/Reboot` = true was received. */
  reboot: boolean
  /** Writes to declared device metrics, left to the device to apply or refuse. */
  writes: DecodedSparkplugMetric[]
  problems: string[]
}

export const NODE_REBIRTH = 'Node Control/Rebirth'
export const NODE_REBOOT = 'Node Control/Reboot'
export const DEVICE_REBIRTH = 'Device Control/Rebirth'
export const BD_SEQ = 'bdSeq'

const FORBIDDEN_ID_CHARS = /[/+#]/

/**
 * One edge node's Sparkplug B state, as a pure object: it turns "connecting", "connected", "a sample"
 * and "a command arrived" into the exact messages to publish, and never touches the network or a clock
 * (times are passed in). A virtual device is one edge node with one Sparkplug device for its sensors.
 *
 * Numbering, per Sparkplug 3.0:
 * - `bdSeq` starts at 0 and goes up by one on every MQTT CONNECT (wrapping 255 → 0). The NDEATH will
 *   registered in that CONNECT and the NBIRTH published after it carry the same bdSeq.
 * - `seq` counts every message the node publishes except NDEATH: 0 on NBIRTH, then +1 per message,
 *   255 → 0. A rebirth restarts it at 0 and keeps the connection's bdSeq.
 *
 * @example
 * const s = new SparkplugSession({ groupId: 'plant-1', edgeNodeId: 'th-0001', deviceId: 'sensors', metrics: { temperature: 'Double' } })
 * const will = s.connect(clock.now())        // register as the CONNECT's last will (QoS 1, not retained)
 * for (const m of s.birth(clock.now())) link.publish(m.topic, m.payload, { qos: m.qos })
 * const ddata = s.data({ ts: clock.now(), values: { temperature: 21.5 } })
 */
export class SparkplugSession {
  readonly groupId: string
  readonly edgeNodeId: string
  readonly deviceId: string
  readonly topics: SparkplugTopics
  private readonly metricTypes: ReadonlyMap<string, SparkplugDataType>
  private readonly properties = new Map<string, string>()
  private readonly lastValues = new Map<string, { value: SparkplugValue; ts: number }>()
  private nextBdSeq: number
  private bdSeqValue: number | undefined
  private lastSeq: number | undefined
  private nodeOnline = false
  private deviceOnline = false

  constructor(opts: SparkplugSessionOptions) {
    for (const [what, id] of [['groupId', opts.groupId], ['edgeNodeId', opts.edgeNodeId], ['deviceId', opts.deviceId]] as const) {
      if (id === '' || FORBIDDEN_ID_CHARS.test(id)) {
        throw errors.badArgument(`Sparkplug ${what} ${JSON.stringify(id)} is not a valid topic level`, 'use a non-empty id without "/", "+" or "#"')
      }
    }
    const first = opts.firstBdSeq ?? 0
    if (!Number.isInteger(first) || first < 0 || first > 255) throw errors.badArgument(`Sparkplug firstBdSeq must be 0..255, got ${first}`)
    this.groupId = opts.groupId
    this.edgeNodeId = opts.edgeNodeId
    this.deviceId = opts.deviceId
    this.metricTypes = new Map(Object.entries(opts.metrics))
    for (const [k, v] of Object.entries(opts.properties ?? {})) this.properties.set(k, v)
    this.nextBdSeq = first
    const node = (type: SparkplugMessageType) => `${SPARKPLUG_NAMESPACE}/${opts.groupId}/${type}/${opts.edgeNodeId}`
    const device = (type: SparkplugMessageType) => `${node(type)}/${opts.deviceId}`
    this.topics = {
      nbirth: node('NBIRTH'),
      ndeath: node('NDEATH'),
      ncmd: node('NCMD'),
      dbirth: device('DBIRTH'),
      ddata: device('DDATA'),
      ddeath: device('DDEATH'),
      dcmd: device('DCMD'),
    }
  }

  /** The bdSeq of the current (or last) MQTT connection; undefined before the first connect(). */
  get bdSeq(): number | undefined {
    return this.bdSeqValue
  }

  /** The seq of the last message published; undefined before the first birth. */
  get seq(): number | undefined {
    return this.lastSeq
  }

  /** True between birth() and the end of the connection (or an NDEATH). DDATA is allowed only then. */
  get online(): boolean {
    return this.nodeOnline
  }

  /** The topics the node subscribes to once connected: its NCMD and its device's DCMD. */
  get commandTopics(): string[] {
    return [this.topics.ncmd, this.topics.dcmd]
  }

  /**
   * A new MQTT CONNECT is about to be sent: takes the next bdSeq and returns the NDEATH to register as
   * that CONNECT's will (QoS 1, retain false; one metric, bdSeq; no seq). Call it for every attempt,
   * including reconnects and attempts that fail — each CONNECT packet takes a new number.
   */
  connect(nowMs: number): SparkplugMessage {
    this.bdSeqValue = this.nextBdSeq
    this.nextBdSeq = (this.nextBdSeq + 1) % 256
    this.nodeOnline = this.deviceOnline = false
    this.lastSeq = undefined
    return this.ndeathMessage(nowMs)
  }

  /** The session ended without an NDEATH of ours (the broker publishes the will). */
  connectionLost(): void {
    this.nodeOnline = this.deviceOnline = false
  }

  /**
   * The birth certificates to publish once CONNACK arrives (and again on a rebirth request): NBIRTH
   * (seq 0, this connection's bdSeq, `Node Control/*`) then DBIRTH (seq 1, every device metric with
   * its last value, or null before the first sample).
   */
  birth(nowMs: number): SparkplugMessage[] {
    const bdSeq = this.requireConnection('birth')
    this.lastSeq = undefined
    this.nodeOnline = true
    const nbirth = this.message('NBIRTH', this.topics.nbirth, {
      timestamp: nowMs,
      seq: this.takeSeq(),
      metrics: [
        { name: BD_SEQ, datatype: 'Int64', value: bdSeq, timestamp: nowMs },
        { name: NODE_REBIRTH, datatype: 'Boolean', value: false, timestamp: nowMs },
        { name: NODE_REBOOT, datatype: 'Boolean', value: false, timestamp: nowMs },
      ],
    })
    return [nbirth, this.deviceBirth(nowMs)]
  }

  /** DBIRTH alone (after a DDEATH, or on `Device Control/Rebirth`); seq continues. */
  deviceBirth(nowMs: number): SparkplugMessage {
    this.requireOnline('DBIRTH')
    const metrics: SparkplugMetric[] = []
    for (const [name, datatype] of this.metricTypes) {
      const last = this.lastValues.get(name)
      metrics.push({ name, datatype, value: last?.value ?? null, timestamp: last?.ts ?? nowMs })
    }
    metrics.push({ name: DEVICE_REBIRTH, datatype: 'Boolean', value: false, timestamp: nowMs })
    for (const [name, value] of this.properties) metrics.push({ name, datatype: 'String', value, timestamp: nowMs })
    this.deviceOnline = true
    return this.message('DBIRTH', this.topics.dbirth, { timestamp: nowMs, seq: this.takeSeq(), metrics })
  }

  /**
   * DDATA for one sample: every value in it, stamped with the sample time. Values are remembered for
   * the next DBIRTH. `historical` marks store-and-forward data sent late (Sparkplug's is_historical).
   * Throws if the node or device is not online (publish births first).
   */
  data(sample: { ts: number; values: Readonly<Record<string, SparkplugValue>> }, opts: SparkplugDataOptions = {}): SparkplugMessage {
    this.requireOnline('DDATA')
    if (!this.deviceOnline) throw errors.badArgument(`Sparkplug DDATA on ${this.topics.ddata} after DDEATH: publish deviceBirth() first`)
    const historical = opts.historical === true
    let metrics: SparkplugMetric[] = []
    for (const [name, value] of Object.entries(sample.values)) {
      if (!historical) this.lastValues.set(name, { value, ts: sample.ts })
      metrics.push({ name, datatype: this.metricTypes.get(name) ?? inferType(value), value, timestamp: sample.ts, historical })
    }
    // After the values are remembered: an edited metric (a renamed or retyped one) never reaches a DBIRTH.
    if (opts.editMetrics) metrics = opts.editMetrics(metrics)
    return this.message('DDATA', this.topics.ddata, { timestamp: sample.ts, seq: this.takeSeq(), metrics })
  }

  /** DDEATH: the sensors are gone (no DDATA until the next DBIRTH); seq continues. */
  deviceDeath(nowMs: number): SparkplugMessage {
    this.requireOnline('DDEATH')
    this.deviceOnline = false
    return this.message('DDEATH', this.topics.ddeath, { timestamp: nowMs, seq: this.takeSeq(), metrics: [] })
  }

  /**
   * The NDEATH to publish before a deliberate MQTT DISCONNECT (the broker does not send the will on a
   * clean disconnect). Same bdSeq as this connection's will.
   */
  nodeDeath(nowMs: number): SparkplugMessage {
    this.requireConnection('NDEATH')
    this.nodeOnline = this.deviceOnline = false
    return this.ndeathMessage(nowMs)
  }

  /** Sets a DBIRTH property (e.g. `Properties/FW` after an update); hosts see it at the next (re)birth. */
  setProperty(name: string, value: string): void {
    this.properties.set(name, value)
  }

  /**
   * Reads an NCMD or DCMD. `Node Control/Rebirth` = true returns fresh births (seq back to 0, same
   * bdSeq); `Device Control/Rebirth` a fresh DBIRTH; `Node Control/Reboot` sets `reboot`; writes to
   * declared device metrics are returned for the device to handle. Anything else is a problem.
   */
  handleCommand(topic: string, payload: Uint8Array, nowMs: number): SparkplugCommandResult {
    const target = topic === this.topics.ncmd ? 'node' : topic === this.topics.dcmd ? 'device' : 'none'
    const result: SparkplugCommandResult = { target, publish: [], reboot: false, writes: [], problems: [] }
    if (target === 'none') {
      result.problems.push(`${topic} is not a command topic of ${this.edgeNodeId}`)
      return result
    }
    const decoded = decodeSparkplug(payload)
    if (!decoded.ok) {
      result.problems.push(decoded.reason)
      return result
    }
    for (const metric of decoded.payload.metrics) {
      const name = metric.name ?? '(no name)'
      const isTrue = metric.value === true
      if (target === 'node' && name === NODE_REBIRTH) {
        if (!isTrue) result.problems.push(`${NODE_REBIRTH} must be Boolean true, got ${describe(metric)}`)
        else if (this.bdSeqValue === undefined) result.problems.push(`${NODE_REBIRTH} before any connection`)
        else result.publish = this.birth(nowMs)
      } else if (target === 'node' && name === NODE_REBOOT) {
        if (isTrue) result.reboot = true
        else result.problems.push(`${NODE_REBOOT} must be Boolean true, got ${describe(metric)}`)
      } else if (target === 'device' && name === DEVICE_REBIRTH) {
        if (!isTrue) result.problems.push(`${DEVICE_REBIRTH} must be Boolean true, got ${describe(metric)}`)
        else if (!this.nodeOnline) result.problems.push(`${DEVICE_REBIRTH} while the node is not online`)
        else result.publish.push(this.deviceBirth(nowMs))
      } else if (target === 'device' && this.metricTypes.has(name)) {
        result.writes.push(metric)
      } else {
        result.problems.push(`unknown ${target === 'node' ? 'node' : 'device'} metric "${name}" in ${target === 'node' ? 'NCMD' : 'DCMD'}`)
      }
    }
    return result
  }

  private ndeathMessage(nowMs: number): SparkplugMessage {
    const bdSeq = this.bdSeqValue!
    const payload = encodeSparkplug({ timestamp: nowMs, metrics: [{ name: BD_SEQ, datatype: 'Int64', value: bdSeq, timestamp: nowMs }] })
    return { type: 'NDEATH', topic: this.topics.ndeath, payload, qos: 1, retain: false, bdSeq }
  }

  /** Every message but NDEATH: QoS 0, not retained (Sparkplug 3.0 §6.4.19–6.4.26). */
  private message(type: SparkplugMessageType, topic: string, payload: SparkplugPayload & { seq: number }): SparkplugMessage {
    return { type, topic, payload: encodeSparkplug(payload), qos: 0, retain: false, seq: payload.seq, bdSeq: this.bdSeqValue! }
  }

  private takeSeq(): number {
    this.lastSeq = this.lastSeq === undefined ? 0 : (this.lastSeq + 1) % 256
    return this.lastSeq
  }

  private requireConnection(what: string): number {
    if (this.bdSeqValue === undefined) throw errors.badArgument(`Sparkplug ${what} before connect(): call connect() for the CONNECT first`)
    return this.bdSeqValue
  }

  private requireOnline(what: string): void {
    this.requireConnection(what)
    if (!this.nodeOnline) throw errors.badArgument(`Sparkplug ${what} while ${this.edgeNodeId} is not online: publish birth() first`)
  }
}

function inferType(value: SparkplugValue): SparkplugDataType {
  if (typeof value === 'boolean') return 'Boolean'
  if (typeof value === 'string') return 'String'
  if (typeof value === 'bigint') return 'Int64'
  return 'Double'
}

function describe(m: DecodedSparkplugMetric): string {
  return `${m.datatypeName} ${typeof m.value === 'bigint' ? `${m.value}n` : JSON.stringify(m.value ?? null)}`
}
