import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { faultEntrySchemas } from '../../../src/faults/index.js'
import { check, deviceProfileSchema, fleetFileSchema, formatPath, issuesToProblems, knownKeysAt, parseYaml, sensorSchema, sortProblems } from '../../../src/spec/index.js'

const fleetSchema = fleetFileSchema(faultEntrySchemas)

describe('formatPath', () => {
  it('joins keys with dots and puts indices in brackets', () => {
    expect(formatPath(['faults', 2, 'kind'])).toBe('faults[2].kind')
    expect(formatPath(['sensors', 'temperature', 'range', 1])).toBe('sensors.temperature.range[1]')
    expect(formatPath(['groups', 0, 'labels', 'hw'])).toBe('groups[0].labels.hw')
  })

  it('gives an empty string for the whole document and no leading dot after an index', () => {
    expect(formatPath([])).toBe('')
    expect(formatPath([0, 'kind'])).toBe('[0].kind')
    expect(formatPath(['a', 0, 1])).toBe('a[0][1]')
  })
})

describe('knownKeysAt', () => {
  it('lists the keys of the object at the path, through arrays, defaults and prefaults', () => {
    expect(knownKeysAt(fleetSchema, [], {})).toEqual(['name', 'description', 'seed', 'duration', 'start', 'ramp', 'broker', 'metrics', 'groups', 'faults', 'thresholds'])
    expect(knownKeysAt(fleetSchema, ['groups', 0], { groups: [{}] })).toEqual(['name', 'profile', 'count', 'idPattern', 'labels'])
    expect(knownKeysAt(fleetSchema, ['broker'], {})).toEqual(['url', 'host', 'port', 'username', 'password'])
    expect(knownKeysAt(deviceProfileSchema, ['connectivity', 'backoff'], {})).toEqual(['initial', 'max', 'multiplier', 'jitter'])
  })

  it('takes the object branch of a union and the value schema of a record', () => {
    expect(knownKeysAt(fleetSchema, ['metrics'], {})).toEqual(['host', 'port'])
    expect(knownKeysAt(deviceProfileSchema, ['sensors', 'anything'], {})).toEqual(['unit', 'signal', 'noise', 'range', 'precision'])
  })

  it('picks the branch of a discriminated union that the data names, else the first', () => {
    const data = (kind: string) => ({ sensors: { t: { signal: { kind } } } })
    expect(knownKeysAt(deviceProfileSchema, ['sensors', 't', 'signal'], data('counter'))).toEqual(['kind', 'start', 'startJitter', 'ratePerHour', 'rateJitter'])
    expect(knownKeysAt(deviceProfileSchema, ['sensors', 't', 'signal'], data('sine'))).toEqual(['kind', 'mean', 'amplitude', 'period', 'phase', 'phaseJitter'])
    expect(knownKeysAt(deviceProfileSchema, ['sensors', 't', 'signal'], data('sinus'))).toEqual(['kind', 'value'])
  })

  it('walks the data along the prefix but the schema only along the path', () => {
    const data = { sensors: { t: { signal: { kind: 'route' } } } }
    expect(knownKeysAt(sensorSchema, ['signal'], data, ['sensors', 't'])).toEqual(['kind', 'axis', 'waypoints', 'speedKmh'])
  })

  it('returns undefined for scalars, for keys the schema lacks, and inside a fault (its kind schema is opaque here)', () => {
    expect(knownKeysAt(fleetSchema, ['name'], {})).toBeUndefined()
    expect(knownKeysAt(fleetSchema, ['nope', 'deeper'], {})).toBeUndefined()
    expect(knownKeysAt(fleetSchema, ['faults', 0], { faults: [{ kind: 'disconnect' }] })).toBeUndefined()
    expect(knownKeysAt(faultEntrySchemas.disconnect!, [], {})).toEqual(['id', 'at', 'target', 'every', 'times', 'until', 'probability', 'perDevicePerDay', 'kind', 'duration', 'mode'])
  })
})

describe('issuesToProblems', () => {
  const problemsOf = (text: string, schema: z.ZodType) => {
    const source = parseYaml(text, 'inline.yaml')
    const r = check(source, schema)
    if (r.ok) throw new Error('expected problems')
    return r.problems.map((p) => ({ at: `${p.line}:${p.column}`, path: p.path, message: p.message, hint: p.hint }))
  }

  it('reports the problem of the one union branch the value is shaped like', () => {
    expect(problemsOf('metrics: { hots: 0.0.0.0 }\n', z.strictObject({ metrics: fleetSchema.def.shape.metrics }))).toEqual([
      { at: '1:12', path: 'metrics.hots', message: 'unknown field "hots"', hint: 'did you mean "host"?' },
    ])
  })

  it('names the expected values of a union of literals and what the file has', () => {
    expect(problemsOf('metrics: true\n', z.strictObject({ metrics: fleetSchema.def.shape.metrics }))).toEqual([
      { at: '1:10', path: 'metrics', message: 'expected false or object, got boolean true', hint: undefined },
    ])
  })

  it('tells a missing field from a field of the wrong type, and null from a missing field', () => {
    const schema = z.strictObject({ a: z.number(), b: z.number(), c: z.string() })
    expect(problemsOf('a: "1"\nc:\n', schema)).toEqual([
      // A missing field is reported at its parent (here the document, 1:1); sorted by position.
      { at: '1:1', path: 'b', message: 'required field is missing (expected number)', hint: 'add this field' },
      { at: '1:4', path: 'a', message: 'expected number, got string "1"', hint: undefined },
      { at: '2:3', path: 'c', message: 'expected string, got null', hint: undefined },
    ])
  })

  it('lists the allowed keys when no key is near, and prefixes paths with the prefix', () => {
    const source = parseYaml('outer:\n  x: 1\n  zzzzzz: 2\n', 'inline.yaml')
    const inner = z.strictObject({ x: z.number(), y: z.number().optional() })
    const r = inner.safeParse((source.data as { outer: unknown }).outer)
    expect(r.success).toBe(false)
    const [p] = issuesToProblems(source, r.error!.issues, inner, ['outer'])
    expect(p).toEqual({ file: 'inline.yaml', line: 3, column: 3, path: 'outer.zzzzzz', message: 'unknown field "zzzzzz"', hint: 'allowed here: x, y' })
  })
})

describe('sortProblems', () => {
  it('orders by file, then line, then column', () => {
    const p = (file: string, line: number, column: number) => ({ file, line, column, path: '', message: '' })
    const sorted = sortProblems([p('b.yaml', 1, 1), p('a.yaml', 9, 1), p('a.yaml', 2, 8), p('a.yaml', 2, 3)])
    expect(sorted.map((x) => `${x.file}:${x.line}:${x.column}`)).toEqual(['a.yaml:2:3', 'a.yaml:2:8', 'a.yaml:9:1', 'b.yaml:1:1'])
  })
})
