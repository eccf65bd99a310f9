import { describe, expect, it } from 'vitest'
import { combineShaping, isShaped } from '../../../src/transport/shaping.js'

describe('combineShaping', () => {
  it('of nothing is no shaping', () => {
    expect(combineShaping([])).toEqual({ latencyMs: 0, jitterMs: 0, bandwidthBps: undefined, lossRate: 0, paused: false, dropAcks: false })
    expect(isShaped(combineShaping([]))).toBe(false)
  })

  it('adds latencies and jitters, keeps the tightest bandwidth, compounds loss, ORs pause and ack drops', () => {
    const s = combineShaping([
      { latencyMs: 100, jitterMs: 10, lossRate: 0.5 },
      { latencyMs: 250, bandwidthBps: 1_000, lossRate: 0.5, dropAcks: true },
      { bandwidthBps: 200, paused: true },
    ])
    expect(s).toEqual({ latencyMs: 350, jitterMs: 10, bandwidthBps: 200, lossRate: 0.75, paused: true, dropAcks: true })
  })
})

describe('isShaped', () => {
  it('is true when packets are delayed or held, not for loss or ack drops alone', () => {
    expect(isShaped({ latencyMs: 1 })).toBe(true)
    expect(isShaped({ jitterMs: 1 })).toBe(true)
    expect(isShaped({ bandwidthBps: 10 })).toBe(true)
    expect(isShaped({ paused: true })).toBe(true)
    expect(isShaped({ lossRate: 0.5, dropAcks: true })).toBe(false)
    expect(isShaped({ latencyMs: 0, paused: false })).toBe(false)
  })
})

describe('link conditions in combineShaping', () => {
  it("keeps the profile's log-normal latency, compounds resend rates and takes the longest RTO", () => {
    const s = combineShaping([{ latencyMs: 100 }, { retransmit: { rate: 0.5, rtoMs: 200 } }, { baseLatency: { medianMs: 60, sigma: 0.9 }, retransmit: { rate: 0.5, rtoMs: 240 } }])
    expect(s.baseLatency).toEqual({ medianMs: 60, sigma: 0.9 })
    expect(s.retransmit).toEqual({ rate: 0.75, rtoMs: 240 })
    expect(s.latencyMs).toBe(100)
    expect(isShaped({ baseLatency: { medianMs: 1, sigma: 0 } })).toBe(true)
    expect(isShaped({ retransmit: { rate: 0.01, rtoMs: 200 } })).toBe(true)
  })
})
