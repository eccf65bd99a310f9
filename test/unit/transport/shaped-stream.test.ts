import { PassThrough } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { VirtualClock } from '../../../src/core/clock.js'
import { deriveStream } from '../../../src/core/rng.js'
import { streamPipe, type BytePipeListener } from '../../../src/transport/memory-pipe.js'
import { Lane, ShapedStream } from '../../../src/transport/shaped-stream.js'
import type { LinkShaping } from '../../../src/transport/shaping.js'

function lane(shaping: LinkShaping) {
  const clock = new VirtualClock()
  const out: [string, number][] = []
  const current = { shaping }
  const rng = deriveStream(1, 'lane', 'jitter')
  const l = new Lane<string>(clock, () => current.shaping, () => rng.next(), (c) => out.push([c, clock.now()]), (c) => c.length)
  return { clock, out, lane: l, current }
}

describe('Lane', () => {
  it('passes chunks through synchronously when nothing is shaped', () => {
    const { lane: l, out, clock } = lane({})
    l.push('a')
    l.push('b')
    expect(out).toEqual([['a', 0], ['b', 0]])
    expect(clock.pending).toBe(0)
  })

  it('delays each chunk by latency', () => {
    const { lane: l, out, clock } = lane({ latencyMs: 300 })
    l.push('a')
    clock.advanceBy(100)
    l.push('b')
    clock.advanceBy(299)
    expect(out).toEqual([['a', 300]])
    clock.advanceBy(1)
    expect(out).toEqual([['a', 300], ['b', 400]])
  })

  it('keeps order under jitter (as TCP does), each delay within [latency, latency + jitter]', () => {
    const { lane: l, out, clock } = lane({ latencyMs: 100, jitterMs: 500 })
    for (let i = 0; i < 50; i++) {
      l.push(`m${i}`)
      clock.advanceBy(20)
    }
    clock.advanceBy(10_000)
    expect(out.map(([c]) => c)).toEqual(Array.from({ length: 50 }, (_, i) => `m${i}`))
    out.forEach(([, at], i) => {
      expect(at).toBeGreaterThanOrEqual(i * 20 + 100)
      if (i > 0) expect(at).toBeGreaterThanOrEqual(out[i - 1]![1])
    })
    expect(out.some(([, at], i) => at > i * 20 + 100)).toBe(true)
  })

  it('spaces chunks by size / bandwidth', () => {
    const { lane: l, out, clock } = lane({ bandwidthBps: 10 })
    l.push('12345') // 500 ms on the wire
    l.push('1234567890') // 1 s more
    clock.advanceBy(5_000)
    expect(out).toEqual([['12345', 500], ['1234567890', 1_500]])
  })

  it('holds everything while paused and releases it, in order, when pumped after the pause', () => {
    const { lane: l, out, clock, current } = lane({ paused: true })
    l.push('a')
    l.push('b')
    clock.advanceBy(60_000)
    expect(out).toEqual([])
    current.shaping = {}
    l.pump()
    expect(out).toEqual([['a', 60_000], ['b', 60_000]])
  })

  it('a burst is delayed by the latency, not serialised behind it (the lane is not one-chunk-in-flight)', () => {
    const { lane: l, out, clock } = lane({ latencyMs: 800 })
    for (let i = 0; i < 100; i++) l.push(`m${i}`)
    clock.advanceBy(800)
    expect(out).toHaveLength(100)
    expect(out.every(([, at]) => at === 800)).toBe(true)
  })

  it('after a pause, what was held arrives one latency after the pause ended', () => {
    const { lane: l, out, clock, current } = lane({ latencyMs: 100, paused: true })
    l.push('a')
    clock.advanceBy(5_000)
    current.shaping = { latencyMs: 100 }
    l.pump()
    l.push('b')
    clock.advanceBy(99)
    expect(out).toEqual([])
    clock.advanceBy(1)
    expect(out).toEqual([['a', 5_100], ['b', 5_100]])
  })

  it('clear() drops what is held', () => {
    const { lane: l, out, clock } = lane({ latencyMs: 100 })
    l.push('a')
    l.clear()
    clock.advanceBy(1_000)
    expect(out).toEqual([])
    expect(clock.pending).toBe(0)
  })
})

describe('ShapedStream', () => {
  const PUBACK = Buffer.from([0x40, 0x02, 0x00, 0x01])
  const PUBLISH = Buffer.from([0x30, 0x05, 0x00, 0x01, 0x74, 0x68, 0x69]) // topic "t", payload "hi"

  /** A ShapedStream over a loopback: what it writes comes back as what it reads. */
  function loop(shaping: LinkShaping) {
    const clock = new VirtualClock()
    const inner = new PassThrough()
    const s = new ShapedStream((listener) => streamPipe(inner, listener), clock, () => shaping, () => 0.5)
    const read: Buffer[] = []
    s.pipe({ write: (c: Buffer) => read.push(c), end: () => read.push(END) })
    return { clock, s, read, inner }
  }
  const tick = () => new Promise((resolve) => setImmediate(resolve))
  const END = Buffer.from('(end)')

  it('passes whole MQTT packets through, reassembling ones split across chunks', async () => {
    const { inner, read } = loop({})
    inner.write(Buffer.concat([PUBLISH, PUBACK.subarray(0, 1)]))
    await tick()
    inner.write(PUBACK.subarray(1))
    await tick()
    expect(read).toEqual([PUBLISH, PUBACK])
  })

  it('drops incoming PUBACKs while dropAcks is on, and only those', async () => {
    const { inner, read } = loop({ dropAcks: true })
    inner.write(Buffer.concat([PUBACK, PUBLISH, PUBACK]))
    await tick()
    expect(read).toEqual([PUBLISH])
  })

  it('delays what it writes by the latency, on the clock', async () => {
    const { s, clock, read } = loop({ latencyMs: 200 })
    s.write(PUBLISH)
    await tick()
    expect(read).toEqual([])
    clock.advanceBy(200) // up lane releases to the loopback…
    await tick()
    clock.advanceBy(200) // …and the down lane delays it again
    await tick()
    expect(read).toEqual([PUBLISH])
  })

  it('fails on a malformed remaining length from the broker', async () => {
    const { inner, s } = loop({})
    const errors: Error[] = []
    s.on('error', (e) => errors.push(e))
    inner.write(Buffer.from([0x30, 0xff, 0xff, 0xff, 0xff, 0x01]))
    await tick()
    expect(errors.map((e) => e.message)).toEqual(['malformed MQTT remaining length from broker'])
  })

  /** A ShapedStream over a pipe that records what reaches it. */
  function recorded(shaping: LinkShaping = {}) {
    const wire: string[] = []
    let listener: BytePipeListener | undefined
    const s = new ShapedStream(
      (l) => {
        listener = l
        return { write: (c) => wire.push(c.toString('hex')), end: () => wire.push('(end)'), destroy: () => wire.push('(destroy)') }
      },
      new VirtualClock(),
      () => shaping,
      () => 0.5,
    )
    const events: string[] = []
    s.on('close', () => events.push('close'))
    s.on('error', (e: Error) => events.push(`error: ${e.message}`))
    return { s, wire, events, far: listener! }
  }

  it('sends what was written while corked as one chunk when the last cork is lifted, as mqtt-packet corks a packet', () => {
    const { s, wire } = recorded()
    s.cork()
    s.cork()
    s.write(Buffer.from([0x30]))
    s.write(Buffer.from([0x05]))
    s.uncork()
    expect(wire).toEqual([])
    s.write('t')
    s.uncork()
    expect(wire).toEqual(['300574'])
    s.write(Buffer.from([0xc0, 0x00]))
    expect(wire).toEqual(['300574', 'c000'])
  })

  it('ends after what is corked, closes once both sides have ended, and takes no bytes after its end', async () => {
    const { s, wire, events, far } = recorded()
    let finished = false
    s.cork()
    s.write(Buffer.from([0xe0, 0x00]))
    expect(s.end(() => (finished = true))).toBe(s)
    s.write(Buffer.from([0x30]))
    s.uncork() // mqtt-packet's uncork on the next tick finds nothing left to send
    expect(wire).toEqual(['e000', '(end)'])
    await tick()
    expect(finished).toBe(true)
    expect(events).toEqual([])
    far.onPipeEnd()
    await tick()
    expect(events).toEqual(['close'])
    expect(s.destroyed).toBe(true)
  })

  it('hands packets that came before it was piped to the reader, then the far end', async () => {
    const { s, far } = recorded()
    far.onPipeData(PUBACK)
    far.onPipeEnd()
    const read: Buffer[] = []
    let ended = false
    s.pipe({ write: (c: Buffer) => read.push(c), end: () => (ended = true) })
    expect(read).toEqual([PUBACK])
    expect(ended).toBe(true)
  })

  it('destroys once: the pipe torn down, one error if there was one, one close, nothing delivered after', async () => {
    const { s, wire, events, far } = recorded()
    const read: Buffer[] = []
    s.pipe({ write: (c: Buffer) => read.push(c), end: () => undefined })
    s.destroy(new Error('gone'))
    s.destroy()
    far.onPipeClose()
    far.onPipeData(PUBACK)
    await tick()
    expect(wire).toEqual(['(destroy)'])
    expect(events).toEqual(['error: gone', 'close'])
    expect(read).toEqual([])
  })
})
