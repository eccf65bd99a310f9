import mqtt from 'mqtt'

export interface ProbeSubscriber {
  close(): Promise<void>
}

/**
 * The delivery probe's tap on an external broker: one MQTT client subscribed (QoS 1) to the fleet's
 * telemetry topic filters, handing every message to `onMessage`. It stands where a backend stands, so
 * latency and loss are measured to delivery. Reconnects by itself if the broker restarts.
 */
export async function subscribeProbe(
  url: string,
  filters: readonly string[],
  onMessage: (topic: string, payload: Buffer) => void,
  opts: { clientId: string; username?: string; password?: string; timeoutMs?: number },
): Promise<ProbeSubscriber> {
  const client = mqtt.connect(url, { clientId: opts.clientId, username: opts.username, password: opts.password, clean: true, reconnectPeriod: 1_000, connectTimeout: opts.timeoutMs ?? 5_000 })
  client.on('message', (topic, payload) => onMessage(topic, payload))
  client.on('error', () => undefined)
  // Subscribe on every (re)connect: a clean session loses its subscriptions with the connection.
  const subscribed = new Promise<void>((resolve, reject) => {
    client.on('connect', () => {
      client.subscribe([...filters], { qos: 1 }, (err) => (err ? reject(err) : resolve()))
    })
  })
  await subscribed
  return { close: () => client.endAsync() }
}

/** A topic template's subscription filter: every level holding a `{var}` becomes the wildcard `+`. */
export function templateFilter(template: string): string {
  return template
    .split('/')
    .map((level) => (level.includes('{') ? '+' : level))
    .join('/')
}
