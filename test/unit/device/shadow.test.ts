import { describe, expect, it } from 'vitest'
import { encodeReported, reconcileShadow, SHADOW_SETTINGS, type ShadowContext, type ShadowSetting } from '../../../src/device/shadow.js'

const ctx = (over: Partial<ShadowContext> = {}): ShadowContext => ({
  supported: new Set<ShadowSetting>(SHADOW_SETTINGS),
  sensors: ['temperature', 'humidity'],
  state: {},
  counter: 3,
  now: 1_000,
  ...over,
})
const run = (doc: unknown, over: Partial<ShadowContext> = {}) => reconcileShadow(typeof doc === 'string' ? doc : JSON.stringify(doc), ctx(over))!

describe('shadow reconciliation (desired → what to apply + reported)', () => {
  it('applies supported settings and reports them as given, with the desired version', () => {
    const r = run({ samplePeriod: '30s', thresholds: { temperature: { max: 30 } }, version: 7 })
    expect(r.apply).toEqual({ samplePeriodMs: 30_000, thresholds: { temperature: { max: 30 } } })
    expect(r.reported).toEqual({ state: { samplePeriod: '30s', thresholds: { temperature: { max: 30 } } }, unsupported: {}, version: 7, ts: 1_000 })
  })

  it('takes a sample period in ms too, and uses the counter as version when there is none', () => {
    const r = run({ samplePeriod: 500 })
    expect(r.apply).toEqual({ samplePeriodMs: 500 })
    expect(r.reported.version).toBe(3)
  })

  it('merges into the state reported so far', () => {
    const r = run({ samplePeriod: '1m' }, { state: { samplePeriod: '30s', thresholds: { humidity: { min: 10 } } } })
    expect(r.reported.state).toEqual({ samplePeriod: '1m', thresholds: { humidity: { min: 10 } } })
  })

  it('reports unknown keys as unsupported with a hint, and applies the rest', () => {
    const r = run({ samplePeriod: '400ms', bogus: 1, samplePeriods: '1s' })
    expect(r.apply).toEqual({ samplePeriodMs: 400 })
    expect(r.reported.state).toEqual({ samplePeriod: '400ms' })
    expect(r.reported.unsupported.bogus).toBe('unknown setting — supported: samplePeriod, thresholds')
    expect(r.reported.unsupported.samplePeriods).toContain('did you mean "samplePeriod"?')
  })

  it.each([
    [{ samplePeriod: '10ms' }, 'samplePeriod', 'samplePeriod: must be between 100ms and 7d'],
    [{ samplePeriod: 'soon' }, 'samplePeriod', 'not a duration'],
    [{ samplePeriod: true }, 'samplePeriod', 'expected a duration'],
    [{ thresholds: { temperature: { min: 5, max: 1 } } }, 'thresholds', 'min must be below max'],
    [{ thresholds: { temprature: { max: 1 } } }, 'thresholds', 'no sensor "temprature" — did you mean "temperature"?'],
    [{ thresholds: { temperature: { max: 1, hi: 2 } } }, 'thresholds', 'unknown parameter "hi"'],
  ])('reports an invalid value with the config-set reason: %j', (doc, key, reason) => {
    const r = run(doc, { state: { samplePeriod: '30s' } })
    expect(r.apply).toBeUndefined()
    expect(r.reported.unsupported[key]).toContain(reason)
    expect(r.reported.state).toEqual({ samplePeriod: '30s' })
  })

  it('reports settings this device does not support, with its reason', () => {
    const r = run({ samplePeriod: '1s', thresholds: { temperature: { max: 1 } } }, { supported: new Set(['samplePeriod']), unsupportedReason: (s) => `no ${s} here` })
    expect(r.apply).toEqual({ samplePeriodMs: 1_000 })
    expect(r.reported.unsupported).toEqual({ thresholds: 'no thresholds here' })
    expect(run({ thresholds: {} }, { supported: new Set() }).reported.unsupported.thresholds).toBe('not supported by this device')
  })

  it('reports a bad version and falls back to the counter', () => {
    const r = run({ samplePeriod: '1s', version: 'v2' })
    expect(r.reported.version).toBe(3)
    expect(r.reported.unsupported.version).toBe('must be a non-negative integer')
  })

  it.each([
    ['{not json', 'desired document is not valid JSON'],
    ['[1,2]', 'desired document must be a JSON object'],
    ['null', 'desired document must be a JSON object'],
    ['42', 'desired document must be a JSON object'],
  ])('malformed %s: nothing applied, an error reported, the state kept', (payload, error) => {
    const r = run(payload, { state: { samplePeriod: '30s' } })
    expect(r.apply).toBeUndefined()
    expect(r.reported).toEqual({ state: { samplePeriod: '30s' }, unsupported: {}, version: 3, ts: 1_000, error })
  })

  it('an empty object applies nothing and reports the state as is; an empty payload (desired cleared) is ignored', () => {
    expect(run({}, { state: { samplePeriod: '30s' } })).toEqual({ apply: undefined, reported: { state: { samplePeriod: '30s' }, unsupported: {}, version: 3, ts: 1_000 } })
    expect(reconcileShadow(Buffer.alloc(0), ctx())).toBeUndefined()
    expect(reconcileShadow('  \n', ctx())).toBeUndefined()
  })

  it('encodes with a fixed key order', () => {
    expect(encodeReported({ ts: 5, version: 1, unsupported: { a: 'b' }, state: { samplePeriod: '1s' } })).toBe('{"state":{"samplePeriod":"1s"},"unsupported":{"a":"b"},"version":1,"ts":5}')
    expect(encodeReported({ ts: 5, version: 1, error: 'x', unsupported: {}, state: {} })).toBe('{"state":{},"unsupported":{},"error":"x","version":1,"ts":5}')
  })
})
