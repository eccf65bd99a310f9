import { describe, expect, it } from 'vitest'
import { COMMAND_EVENTS, FINAL_STATUSES, commandParamSchemas, encodeReply, isCommandName, validateParams, type CommandName } from '../../../src/device/commands.js'

const ok = <N extends CommandName>(name: N, params: Record<string, unknown>) => validateParams(name, params)
const reason = (name: CommandName, params: Record<string, unknown>) => {
  const r = validateParams(name, params)
  expect(r.ok, JSON.stringify(params)).toBe(false)
  return (r as { reason: string }).reason
}

describe('command parameters (zod, per command)', () => {
  it('every known command has a schema and an event mapping; nothing else is a command', () => {
    expect(Object.keys(commandParamSchemas).sort()).toEqual(Object.keys(COMMAND_EVENTS).sort())
    expect(Object.keys(COMMAND_EVENTS)).toEqual(['reboot', 'ping', 'factory-reset', 'config-set', 'ota'])
    for (const name of Object.keys(COMMAND_EVENTS)) expect(isCommandName(name)).toBe(true)
    for (const name of ['toString', 'constructor', '__proto__', 'OTA', '']) expect(isCommandName(name)).toBe(false)
  })

  describe('ota', () => {
    it('accepts a version alone, or with url, sizeBytes and sha256', () => {
      expect(ok('ota', { version: '2.0.0' })).toEqual({ ok: true, params: { version: '2.0.0' } })
      const full = { version: '2.0.0-rc.1+b7', url: 'https://fw.example.com/th-300/2.0.0.bin', sizeBytes: 1_572_864, sha256: 'AB'.repeat(32) }
      expect(ok('ota', full)).toEqual({ ok: true, params: full })
    })

    it.each([
      [{}, 'params.version: required (string)'],
      [{ version: 2 }, 'params.version: expected a string, got the number 2'],
      [{ version: null }, 'params.version: expected a string, got null'],
      [{ version: true }, 'params.version: expected a string, got a boolean'],
      [{ version: ['2.0.0'] }, 'params.version: expected a string, got an array'],
      [{ version: { major: 2 } }, 'params.version: expected a string, got an object'],
      [{ version: '' }, 'params.version: must be 1–64 letters, digits, ".", "+", "_" or "-"'],
      [{ version: 'x'.repeat(65) }, 'params.version: must be 1–64 letters, digits, ".", "+", "_" or "-"'],
      [{ version: '2.0/../../etc' }, 'params.version: must be 1–64 letters, digits, ".", "+", "_" or "-"'],
      [{ version: '2', url: 'not a url' }, 'params.url: must be an http or https URL'],
      [{ version: '2', url: 'ftp://fw.example.com/a.bin' }, 'params.url: must be an http or https URL'],
      [{ version: '2', url: 42 }, 'params.url: expected a string, got the number 42'],
      [{ version: '2', sizeBytes: 0 }, 'params.sizeBytes: Too small: expected number to be >0'],
      [{ version: '2', sizeBytes: -5 }, 'params.sizeBytes: Too small: expected number to be >0'],
      [{ version: '2', sizeBytes: 2.5 }, 'params.sizeBytes: expected an integer, got the number 2.5'],
      [{ version: '2', sizeBytes: '100' }, 'params.sizeBytes: expected a number, got the string "100"'],
      [{ version: '2', sizeBytes: 5 * 1024 ** 3 }, 'params.sizeBytes: Too big: expected number to be <=4294967296'],
      [{ version: '2', sha256: 'abc' }, 'params.sha256: must be 64 hex digits'],
      [{ version: '2', sha256: 'g'.repeat(64) }, 'params.sha256: must be 64 hex digits'],
      [{ version: '2', versoin: '3' }, 'params: unknown parameter "versoin" — did you mean "version"?'],
      [{ version: '2', force: true }, 'params: unknown parameter "force" — known: version, url, sizeBytes, sha256'],
    ])('rejects %j', (params, why) => {
      expect(reason('ota', params)).toBe(why)
    })

    it('names every problem at once', () => {
      expect(reason('ota', { version: 2, sizeBytes: 'big', sha: 'x' })).toBe(
        'params.version: expected a string, got the number 2; params.sizeBytes: expected a number, got the string "big"; params: unknown parameter "sha" — known: version, url, sizeBytes, sha256',
      )
    })
  })

  describe('config-set', () => {
    it('turns samplePeriod into ms (a duration string or ms) and keeps thresholds', () => {
      expect(ok('config-set', { samplePeriod: '30s' })).toEqual({ ok: true, params: { samplePeriod: 30_000 } })
      expect(ok('config-set', { samplePeriod: 250 })).toEqual({ ok: true, params: { samplePeriod: 250 } })
      expect(ok('config-set', { thresholds: { temperature: { min: -10, max: 40 }, humidity: { max: 90 } } })).toMatchObject({ ok: true })
    })

    it.each([
      [{}, 'params: give samplePeriod and/or thresholds'],
      [{ samplePeriod: 'soon' }, 'params.samplePeriod: not a duration: "soon"'],
      [{ samplePeriod: '50ms' }, 'params.samplePeriod: must be between 100ms and 7d'],
      [{ samplePeriod: '8d' }, 'params.samplePeriod: must be between 100ms and 7d'],
      [{ samplePeriod: true }, 'params.samplePeriod: expected a duration ("30s") or a number of ms, got a boolean'],
      [{ thresholds: [] }, 'params.thresholds: expected a record, got an array'],
      [{ thresholds: { temperature: 30 } }, 'params.thresholds.temperature: expected an object, got the number 30'],
      [{ thresholds: { temperature: { max: '30' } } }, 'params.thresholds.temperature.max: expected a number, got the string "30"'],
      [{ thresholds: { temperature: { upper: 30 } } }, 'params.thresholds.temperature: unknown parameter "upper" — known: min, max'],
      [{ thresholds: { temperature: { mx: 30 } } }, 'params.thresholds.temperature: unknown parameter "mx" — did you mean "max"?'],
      [{ thresholds: { temperature: { min: 5, max: 5 } } }, 'params.thresholds.temperature: min must be below max'],
      [{ samplePeriod: '1m', period: '1m' }, 'params: unknown parameter "period" — known: samplePeriod, thresholds'],
    ])('rejects %j', (params, why) => {
      expect(reason('config-set', params)).toBe(why)
    })
  })

  it.each(['reboot', 'ping', 'factory-reset'] as const)('%s takes no parameters', (name) => {
    expect(ok(name, {})).toEqual({ ok: true, params: {} })
    expect(reason(name, { now: true, hard: 1 })).toBe(`"${name}" takes no parameters, got "now", "hard"`)
  })
})

describe('replies', () => {
  it('final statuses are done, failed and rejected', () => {
    expect([...FINAL_STATUSES].sort()).toEqual(['done', 'failed', 'rejected'])
  })

  it('encode in a fixed key order, leaving out what is absent', () => {
    expect(encodeReply({ id: 'u1', status: 'progress', progress: 0.42 })).toBe('{"id":"u1","status":"progress","progress":0.42}')
    expect(encodeReply({ version: '2.0.0', reason: 'running 2.0.0', status: 'done', id: 'u1' })).toBe('{"id":"u1","status":"done","reason":"running 2.0.0","version":"2.0.0"}')
  })
})
