import { describe, expect, it } from 'vitest'
import { expandTemplate, formatDeviceId, ID_PATTERN_TOKEN } from '../../../src/core/ids.js'

describe('formatDeviceId', () => {
  it('{n:04} is 1-based and zero-padded', () => {
    expect(formatDeviceId('th-{n:04}', 'sensors', 6)).toBe('th-0007')
  })

  it('{index} is 0-based; {index:03} zero-pads; a width without 0 pads with spaces', () => {
    expect(formatDeviceId('dev-{index}', 'g', 0)).toBe('dev-0')
    expect(formatDeviceId('dev-{index:03}', 'g', 7)).toBe('dev-007')
    expect(formatDeviceId('[{index:3}]', 'g', 7)).toBe('[  7]')
    expect(formatDeviceId('{n}', 'g', 9)).toBe('10')
  })

  it('does not truncate numbers wider than the pad', () => {
    expect(formatDeviceId('d{n:02}', 'g', 1234)).toBe('d1235')
  })

  it('substitutes {group}, several tokens, and leaves unknown tokens alone', () => {
    expect(formatDeviceId('{group}-{n:03}-{index}', 'meters', 4)).toBe('meters-005-4')
    expect(formatDeviceId('x-{serial}-{n}', 'g', 0)).toBe('x-{serial}-1')
    expect(formatDeviceId('static-name', 'g', 3)).toBe('static-name')
  })

  it('gives distinct ids for distinct indices', () => {
    const ids = Array.from({ length: 1000 }, (_, i) => formatDeviceId('th-{n:04}', 'g', i))
    expect(new Set(ids).size).toBe(1000)
  })
})

describe('ID_PATTERN_TOKEN', () => {
  it('matches patterns that vary per device and not those that do not', () => {
    for (const p of ['th-{n:04}', '{index}', 'a{n}b', 'x{index:3}']) expect(ID_PATTERN_TOKEN.test(p)).toBe(true)
    for (const p of ['{group}', 'static', '{serial}', '{n:x}']) expect(ID_PATTERN_TOKEN.test(p)).toBe(false)
  })
})

describe('expandTemplate', () => {
  it('replaces known variables and keeps unknown ones verbatim', () => {
    expect(expandTemplate('devices/{id}/telemetry', { id: 'th-0007' })).toBe('devices/th-0007/telemetry')
    expect(expandTemplate('{site}/{id}/{sensor}', { id: 'a', site: 's1' })).toBe('s1/a/{sensor}')
    expect(expandTemplate('devices/{id}/{id}', { id: 'x' })).toBe('devices/x/x')
  })

  it('does not treat MQTT wildcards as variables', () => {
    expect(expandTemplate('devices/+/cmd/#', { id: 'x' })).toBe('devices/+/cmd/#')
  })
})
