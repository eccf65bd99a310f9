import { describe, expect, it } from 'vitest'
import { encodeReply, parseCommand } from '../../../src/device/commands.js'

const parse = (text: string) => parseCommand(Buffer.from(text, 'utf8'))
const ID_REASON = 'field "id" must be a string of letters, digits, "_", "." or "-"'

describe('parseCommand', () => {
  it('accepts a well-formed command', () => {
    expect(parse('{"id":"c1","name":"reboot","params":{"delay":5}}')).toEqual({ ok: true, command: { id: 'c1', name: 'reboot', params: { delay: 5 } } })
  })

  it('defaults params to {} and ignores extra fields', () => {
    expect(parse('{"id":"a.b-c_9","name":"ping","extra":true}')).toEqual({ ok: true, command: { id: 'a.b-c_9', name: 'ping', params: {} } })
  })

  it.each([
    ['empty payload', ''],
    ['truncated JSON', '{"id":"c1",'],
    ['not JSON at all', 'reboot now'],
    ['binary garbage', '\u0000\u00ff\u0001'],
  ])('rejects invalid JSON (%s)', (_what, text) => {
    expect(parse(text)).toEqual({ ok: false, id: 'invalid', reason: 'payload is not valid JSON' })
  })

  it.each([
    ['an array', '[1,2]'],
    ['null', 'null'],
    ['a number', '42'],
    ['a string', '"reboot"'],
    ['a boolean', 'true'],
  ])('rejects a payload that is %s, not an object', (_what, text) => {
    expect(parse(text)).toEqual({ ok: false, id: 'invalid', reason: 'payload must be a JSON object' })
  })

  it.each([
    ['missing', '{"name":"ping"}'],
    ['a number', '{"id":1,"name":"ping"}'],
    ['empty', '{"id":"","name":"ping"}'],
    ['with a slash (would escape the reply topic)', '{"id":"a/b","name":"ping"}'],
    ['with a wildcard', '{"id":"#","name":"ping"}'],
    ['with spaces', '{"id":"a b","name":"ping"}'],
    ['longer than 64 characters', `{"id":"${'x'.repeat(65)}","name":"ping"}`],
  ])('rejects an id that is %s, answering to id "invalid"', (_what, text) => {
    expect(parse(text)).toEqual({ ok: false, id: 'invalid', reason: ID_REASON })
  })

  it('accepts a 64-character id', () => {
    const id = 'x'.repeat(64)
    expect(parse(`{"id":"${id}","name":"ping"}`)).toMatchObject({ ok: true, command: { id } })
  })

  it.each([
    ['missing', '{"id":"c2"}'],
    ['a number', '{"id":"c2","name":5}'],
    ['null', '{"id":"c2","name":null}'],
  ])('rejects a name that is %s, answering to the command id', (_what, text) => {
    expect(parse(text)).toEqual({ ok: false, id: 'c2', reason: 'field "name" must be a string' })
  })

  it.each([
    ['null', 'null'],
    ['an array', '[]'],
    ['a string', '"x"'],
    ['a number', '3'],
  ])('rejects params that are %s', (_what, params) => {
    expect(parse(`{"id":"c3","name":"reboot","params":${params}}`)).toEqual({ ok: false, id: 'c3', reason: 'field "params" must be an object' })
  })
})

describe('encodeReply', () => {
  it('encodes id, status and reason as JSON, reason omitted when absent', () => {
    expect(encodeReply({ id: 'c1', status: 'accepted' })).toBe('{"id":"c1","status":"accepted"}')
    const text = encodeReply({ id: 'c1', status: 'rejected', reason: 'unknown command "x"' })
    expect(text).toBe('{"id":"c1","status":"rejected","reason":"unknown command \\"x\\""}')
    expect(JSON.parse(text)).toEqual({ id: 'c1', status: 'rejected', reason: 'unknown command "x"' })
  })
})
