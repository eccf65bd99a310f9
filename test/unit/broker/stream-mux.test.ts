import type { Duplex } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { StreamMux, type MuxBatch, type MuxPipeListener } from '../../../src/broker/stream-mux.js'

/**
 * Two muxes wired as a worker's port wires them (each batch delivered in a later turn): the devices'
 * side opens bare pipe ends, the broker's side gets a Duplex for each (what aedes.handle takes).
 */
function wired() {
  const accepted: Duplex[] = []
  const sides: { broker?: StreamMux } = {}
  const devices = new StreamMux((batch: MuxBatch) => setImmediate(() => sides.broker!.receive(batch)))
  const broker = (sides.broker = new StreamMux((batch: MuxBatch) => setImmediate(() => devices.receive(batch)), (s) => accepted.push(s)))
  return { devices, broker, accepted }
}

function recorder() {
  const events: string[] = []
  const listener: MuxPipeListener = {
    onPipeData: (chunk) => void events.push(`data ${chunk.toString()}`),
    onPipeEnd: () => void events.push('end'),
    onPipeClose: () => void events.push('close'),
  }
  return { events, listener }
}

const turn = () => new Promise((resolve) => setImmediate(resolve))
async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await turn()
}

describe('StreamMux: bare pipe ends on the opening side, Duplexes on the other', () => {
  it('carries bytes both ways, in order', async () => {
    const { devices, accepted } = wired()
    const { events, listener } = recorder()
    const pipe = devices.openPipe(listener)
    pipe.write(Buffer.from('a'))
    pipe.write(Buffer.from('b'))
    await settle()
    expect(accepted).toHaveLength(1)
    const server = accepted[0]!
    const got: string[] = []
    server.on('data', (c: Buffer) => got.push(c.toString()))
    await settle()
    expect(got.join('')).toBe('ab')
    server.write('x')
    server.write('y')
    await settle()
    expect(events).toEqual(['data x', 'data y'])
  })

  it('a corked turn of writes on the Duplex side crosses as one chunk (aedes writes a packet in pieces)', async () => {
    const { devices, accepted } = wired()
    const { events, listener } = recorder()
    devices.openPipe(listener).write(Buffer.from('hello'))
    await settle()
    const server = accepted[0]!
    server.cork()
    server.write('p')
    server.write('a')
    server.write('ck')
    process.nextTick(() => server.uncork())
    await settle()
    expect(events).toEqual(['data pack'])
  })

  it('the far side closing (aedes destroys a connection) ends the pipe after the bytes it sent, then closes it', async () => {
    const { devices, accepted } = wired()
    const { events, listener } = recorder()
    devices.openPipe(listener).write(Buffer.from('hi'))
    await settle()
    const server = accepted[0]!
    server.write('last words')
    server.destroy()
    await settle()
    expect(events).toEqual(['data last words', 'end', 'close'])
  })

  it('end() is a FIN: the far side sees the end of the stream, and the pipe closes itself', async () => {
    const { devices, accepted } = wired()
    const { events, listener } = recorder()
    const pipe = devices.openPipe(listener)
    pipe.write(Buffer.from('bye'))
    pipe.end()
    pipe.write(Buffer.from('ignored after the end'))
    await settle()
    const server = accepted[0]!
    const got: string[] = []
    let ended = false
    server.on('data', (c: Buffer) => got.push(c.toString()))
    server.on('end', () => (ended = true))
    await settle()
    expect(got.join('')).toBe('bye')
    expect(ended).toBe(true)
    expect(events).toEqual(['close'])
  })

  it('destroy() tells the far side and nothing more here', async () => {
    const { devices, broker, accepted } = wired()
    const { events, listener } = recorder()
    const pipe = devices.openPipe(listener)
    pipe.write(Buffer.from('x'))
    await settle()
    const server = accepted[0]!
    let closed = false
    server.on('close', () => (closed = true))
    server.resume()
    pipe.destroy()
    await settle()
    expect(closed).toBe(true)
    expect(events).toEqual([])
    expect(devices.size).toBe(0)
    expect(broker.size).toBe(0)
  })

  it('destroyAll (the other side is gone) closes every pipe end and destroys every Duplex', async () => {
    const { devices, accepted } = wired()
    const a = recorder()
    const b = recorder()
    devices.openPipe(a.listener).write(Buffer.from('1'))
    const duplex = devices.open()
    duplex.write('2')
    await settle()
    expect(accepted).toHaveLength(2)
    let duplexClosed = false
    duplex.on('close', () => (duplexClosed = true))
    devices.openPipe(b.listener)
    devices.destroyAll()
    await settle()
    expect(a.events).toEqual(['close'])
    expect(b.events).toEqual(['close'])
    expect(duplexClosed).toBe(true)
    expect(devices.size).toBe(0)
  })

  it('the accepting side gets each chunk in memory of its own, so a slice it keeps does not hold the batch', async () => {
    const { devices, accepted } = wired()
    const a = devices.openPipe(recorder().listener)
    const b = devices.openPipe(recorder().listener)
    a.write(Buffer.from('will'))
    b.write(Buffer.alloc(64 * 1024, 1))
    await settle()
    const chunks: Buffer[] = []
    accepted[0]!.on('data', (c: Buffer) => chunks.push(c))
    await settle()
    expect(chunks.map(String)).toEqual(['will'])
    // Four bytes kept by aedes (a will's payload) must not keep the other device's 64 KB alive.
    expect(chunks[0]!.buffer.byteLength).toBe(4)
  })

  it('the opening side reads views of the batch (it keeps nothing it receives)', async () => {
    const { devices, accepted } = wired()
    const { listener } = recorder()
    const seen: Buffer[] = []
    // The far side learns of a stream from its first bytes.
    devices.openPipe({ ...listener, onPipeData: (c) => void seen.push(c) }).write(Buffer.from('connect'))
    devices.openPipe(recorder().listener).write(Buffer.from('connect'))
    await settle()
    accepted[0]!.write(Buffer.from('ack'))
    accepted[1]!.write(Buffer.from('other'))
    await settle()
    expect(seen.map(String)).toEqual(['ack'])
    expect(seen[0]!.buffer.byteLength).toBe('ackother'.length)
  })
})
