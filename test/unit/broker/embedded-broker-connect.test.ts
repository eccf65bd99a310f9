import { afterEach, describe, expect, it } from 'vitest'
import { EmbeddedBroker } from '../../../src/broker/embedded-broker.js'

const str = (s: string) => {
  const b = Buffer.from(s)
  return Buffer.concat([Buffer.from([b.length >> 8, b.length & 0xff]), b])
}

/** An MQTT 3.1.1 CONNECT with a QoS 1 will, a user name and a password, as one chunk. */
function connectPacket(clientId: string, willPayload: string, password: string): Buffer {
  const variable = Buffer.concat([str('MQTT'), Buffer.from([4, 0x80 | 0x40 | 0x08 | 0x04 | 0x02, 0, 60])])
  const payload = Buffer.concat([str(clientId), str(`devices/${clientId}/status`), str(willPayload), str('user'), str(password)])
  const body = Buffer.concat([variable, payload])
  return Buffer.concat([Buffer.from([0x10, body.length]), body])
}

describe('EmbeddedBroker, CONNECT', () => {
  let broker: EmbeddedBroker | undefined
  afterEach(async () => {
    await broker?.stop()
    broker = undefined
  })

  it('keeps a will payload and password in bytes of their own, not views of the chunk they came in', async () => {
    const seen: { will?: Buffer; password?: Buffer }[] = []
    broker = await EmbeddedBroker.start({
      port: 0,
      hooks: {
        preConnect: (_client, packet, done) => {
          seen.push({ will: packet.will?.payload as Buffer, password: packet.password })
          done(null, true)
        },
      },
    })
    const client = broker.connect()
    const acks: Buffer[] = []
    client.on('data', (c: Buffer) => acks.push(c))
    // A small Buffer.from is a slice of Node's shared 8 KB pool, as a device's joined packets are.
    const chunk = Buffer.from(connectPacket('d1', 'offline', 'secret'))
    expect(chunk.buffer.byteLength).toBeGreaterThan(chunk.length)
    client.write(chunk)
    await new Promise((r) => setTimeout(r, 50))
    expect(acks[0]?.[0]).toBe(0x20) // CONNACK: the user's hook still decides, and it accepted
    expect(String(seen[0]!.will)).toBe('offline')
    expect(seen[0]!.will!.buffer.byteLength).toBe('offline'.length)
    expect(String(seen[0]!.password)).toBe('secret')
    expect(seen[0]!.password!.buffer.byteLength).toBe('secret'.length)
    client.destroy()
  })

  it("a user's preConnect that refuses still refuses", async () => {
    broker = await EmbeddedBroker.start({ port: 0, hooks: { preConnect: (_client, _packet, done) => done(null, false) } })
    const client = broker.connect()
    const closed = new Promise<void>((r) => client.once('close', () => r()))
    const acks: Buffer[] = []
    client.on('data', (c: Buffer) => acks.push(c))
    client.write(connectPacket('d2', 'offline', 'secret'))
    await Promise.race([closed, new Promise((r) => setTimeout(r, 1000))])
    expect(acks.some((a) => a[0] === 0x20 && a[3] === 0)).toBe(false) // never a CONNACK that accepts
    client.destroy()
  })
})
