import type { LinkShaping } from './shaping.js'

/**
 * The port between a virtual device and the network. A device never sees MQTT.js directly: it asks
 * its link to connect, publish, subscribe, end cleanly or drop, and hears back through
 * {@link LinkListener}. Protocol outcomes (a refused CONNACK, a dropped socket) are events, not
 * exceptions.
 */
export interface LinkOptions {
  url: string
  clientId: string
  keepaliveSec: number
  connectTimeoutMs: number
  protocolVersion: 4 | 5
  clean: boolean
  username?: string
  password?: string
  /**
   * The last will. A function is called once per connect attempt, for the will of that CONNECT
   * (Sparkplug's NDEATH carries a bdSeq that changes with every CONNECT).
   */
  will?: LinkWill | (() => LinkWill)
  /** Seeded uniform [0, 1) for jitter and loss (the device's own stream). */
  random?: () => number
}

export interface LinkWill {
  topic: string
  payload: Buffer | string
  qos: 0 | 1
  retain: boolean
}

/** The will for the next CONNECT: the fixed one, or the function's answer (called once per attempt). */
export function resolveWill(will: LinkOptions['will']): LinkWill | undefined {
  return typeof will === 'function' ? will() : will
}

export type ConnectFailure =
  /** The broker answered CONNACK with a refusal (bad credentials, not authorised, unavailable…). */
  | { reason: 'refused'; returnCode: number; message: string }
  /** No TCP connection (refused, reset, unreachable) or the network is down (a fault). */
  | { reason: 'unreachable'; message: string }
  | { reason: 'timeout'; message: string }

export type CloseReason = 'dropped' | 'ended' | 'broker-closed' | 'network-down'

export interface LinkListener {
  onConnected(): void
  onConnectFailed(failure: ConnectFailure): void
  /** The session ended after it was up. */
  onClosed(reason: CloseReason): void
  onMessage(topic: string, payload: Buffer): void
}

export interface PublishOptions {
  qos: 0 | 1
  retain?: boolean
  /** MQTT 5 user properties (e.g. W3C `traceparent`); ignored on MQTT 3.1.1 sessions. */
  userProperties?: Record<string, string>
}

export interface DeviceLink {
  readonly connected: boolean
  /** Starts one connection attempt; the outcome arrives as onConnected or onConnectFailed. */
  connect(): void
  /** `onFlushed` runs once the message left (QoS 0) or was acknowledged (QoS 1), or the session died. */
  publish(topic: string, payload: Buffer | string, opts: PublishOptions, onFlushed?: () => void): boolean
  subscribe(topic: string, qos: 0 | 1): void
  /** Clean disconnect (MQTT DISCONNECT sent: the broker does not publish the last will). */
  end(): Promise<void>
  /** Unclean drop: the socket dies without DISCONNECT, so the broker publishes the last will. */
  drop(): void
  /** While down, the session is dropped and every connect attempt fails as unreachable. */
  setNetworkDown(down: boolean): void
  /** Network conditions from now on (latency, bandwidth, loss, pauses, lost acks); `{}` clears them. */
  setShaping(shaping: LinkShaping): void
  /** Telemetry publishes lost to `lossRate` over this link's life. */
  readonly publishesLost: number
  /** Bytes of application payload published over this link's life. */
  readonly bytesPublished: number
  /**
   * False when nothing behind the link reads payload bytes (an in-process link into a dataset, which
   * takes its rows from the samples): a device then skips encoding its telemetry, and those publishes
   * count no bytes. Absent means true.
   */
  readonly readsPayloads?: boolean
  /**
   * True while a telemetry publish would go straight to a far end that reads nothing (readsPayloads
   * false, session up, no network shaping or loss, nothing held): publishing then changes nothing but
   * counters, so a device may count the message as sent without building it (the dataset's fast lane,
   * millions of samples). Absent means false.
   */
  readonly sendsUnread?: boolean
}

export type LinkFactory = (opts: LinkOptions, listener: LinkListener) => DeviceLink
