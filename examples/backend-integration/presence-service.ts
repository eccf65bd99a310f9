import mqtt, { type MqttClient } from 'mqtt'

/**
 * A stand-in for *your* backend: a presence service that tracks which devices are online from their
 * retained status topic and raises an alert when one goes offline. Replace it with your own service;
 * the test next to this file shows how to drive it with fleet-emu.
 */
export class PresenceService {
  readonly online = new Set<string>()
  readonly alerts: { deviceId: string; at: number }[] = []
  private constructor(private readonly client: MqttClient) {}

  static async connect(brokerUrl: string): Promise<PresenceService> {
    const client = await mqtt.connectAsync(brokerUrl, { clientId: 'presence-service', reconnectPeriod: 0 })
    const service = new PresenceService(client)
    client.on('message', (topic, payload) => service.onStatus(topic.split('/')[1]!, payload.toString()))
    await client.subscribeAsync('devices/+/status', { qos: 1 })
    return service
  }

  private onStatus(deviceId: string, status: string): void {
    if (status === 'online') this.online.add(deviceId)
    else if (this.online.delete(deviceId)) this.alerts.push({ deviceId, at: Date.now() })
  }

  async close(): Promise<void> {
    await this.client.endAsync()
  }
}
