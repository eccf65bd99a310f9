import { describe, expect, it } from 'vitest'
import { VirtualClock } from '../../../src/core/clock.js'
import { InProcessLink, inProcessLinkFactory } from '../../../src/transport/in-process-link.js'
import { linkContract, linkOptions, recorder, type Received } from './link-contract.js'

linkContract('InProcessLink (virtual clock)', async () => {
  const clock = new VirtualClock()
  const received: Received[] = []
  const factory = inProcessLinkFactory(clock, (_id, topic, payload, opts) => received.push({ topic, payload: payload.toString(), retain: opts.retain ?? false }))
  return {
    create: factory,
    received: () => received,
    async until(done, what) {
      for (let i = 0; i < 1_000 && !done(); i++) clock.advanceBy(10)
      if (!done()) throw new Error(`timed out waiting for ${what}`)
    },
    async settle() {
      clock.advanceBy(60_000)
    },
    async teardown() {},
  }
})

describe('InProcessLink specifics', () => {
  it('connects on the next clock tick, not synchronously', () => {
    const clock = new VirtualClock()
    const r = recorder()
    const link = new InProcessLink(linkOptions(), r.listener, clock, () => {})
    link.connect()
    expect(r.events).toEqual([])
    clock.advanceBy(0)
    expect(r.events).toEqual(['connected'])
  })

  it('a newer connect() supersedes an attempt in flight (one outcome only)', () => {
    const clock = new VirtualClock()
    const r = recorder()
    const link = new InProcessLink(linkOptions(), r.listener, clock, () => {})
    link.connect()
    link.connect()
    clock.advanceBy(0)
    expect(r.events).toEqual(['connected'])
  })

  it('hands every publish to the sink with the client id and options', () => {
    const clock = new VirtualClock()
    const r = recorder()
    const seen: unknown[] = []
    const link = new InProcessLink(linkOptions({ clientId: 'dev-1' }), r.listener, clock, (...args) => seen.push(args))
    link.connect()
    clock.advanceBy(0)
    link.publish('a/b', 'x', { qos: 1, retain: true })
    expect(seen).toEqual([['dev-1', 'a/b', 'x', { qos: 1, retain: true }]])
  })
})
