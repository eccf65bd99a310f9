import { describe, expect, it } from 'vitest'
import { ERROR_CODES, errors, FleetError, formatProblem, isFleetError, messageOf, type SpecProblem } from '../../../src/core/errors.js'

describe('FleetError', () => {
  it('carries code, message, the hint from the code table, and the cause', () => {
    const cause = new Error('EADDRINUSE')
    const e = new FleetError('FLEET_ERR_BROKER_LISTEN', 'cannot listen', { cause })
    expect(e).toBeInstanceOf(Error)
    expect(e.name).toBe('FleetError')
    expect(e.code).toBe('FLEET_ERR_BROKER_LISTEN')
    expect(e.message).toBe('cannot listen')
    expect(e.hint).toBe(ERROR_CODES.FLEET_ERR_BROKER_LISTEN.hint)
    expect(e.cause).toBe(cause)
    expect(e.problems).toEqual([])
  })

  it('lets a call site give a more specific hint, and has no cause property when none was given', () => {
    const e = new FleetError('FLEET_ERR_CORE_BAD_ARGUMENT', 'bad', { hint: 'use 1..10' })
    expect(e.hint).toBe('use 1..10')
    expect('cause' in e).toBe(false)
  })

  it('freezes a copy of the problems', () => {
    const problems: SpecProblem[] = [{ file: 'a.yaml', path: 'x', message: 'bad' }]
    const e = new FleetError('FLEET_ERR_SPEC_INVALID', 'm', { problems })
    problems.push({ file: 'a.yaml', path: 'y', message: 'later' })
    expect(e.problems).toHaveLength(1)
    expect(Object.isFrozen(e.problems)).toBe(true)
  })

  it('isFleetError tells FleetErrors from other errors and values', () => {
    expect(isFleetError(errors.internal('x'))).toBe(true)
    expect(isFleetError(new Error('x'))).toBe(false)
    expect(isFleetError({ code: 'FLEET_ERR_INTERNAL' })).toBe(false)
    expect(isFleetError(undefined)).toBe(false)
  })
})

describe('formatProblem', () => {
  it('links file:line:col, names the field, and appends the hint', () => {
    expect(
      formatProblem({ file: 'fleets/soak.fleet.yaml', line: 14, column: 7, path: 'faults[2].kind', message: 'unknown fault kind "disconect"', hint: 'did you mean "disconnect"?' }),
    ).toBe('fleets/soak.fleet.yaml:14:7 faults[2].kind: unknown fault kind "disconect" — did you mean "disconnect"?')
  })

  it('defaults the column to 1, and omits an empty path, a missing line and a missing hint', () => {
    expect(formatProblem({ file: 'f.yaml', line: 3, path: 'a', message: 'm' })).toBe('f.yaml:3:1 a: m')
    expect(formatProblem({ file: 'f.yaml', path: '', message: 'empty document' })).toBe('f.yaml empty document')
  })
})

describe('errors (factories)', () => {
  const problem: SpecProblem = { file: 'f.yaml', line: 2, column: 3, path: 'devices[0].count', message: 'must be ≥ 1' }
  const cause = new Error('boom')
  const made: FleetError[] = [
    errors.specInvalid('f.yaml', [problem]),
    errors.yamlSyntax('f.yaml', [problem], cause),
    errors.fileNotFound('device profile', 'devices/x.device.yaml'),
    errors.notAReport('runs/x/report.json', 'not valid JSON'),
    errors.badDuration('5x'),
    errors.badArgument('speed must be > 0'),
    errors.brokerListen('127.0.0.1', 1883, cause),
    errors.brokerUnreachable('mqtt://x:1883'),
    errors.metricsListen('0.0.0.0', 9464, cause),
    errors.fleetState('stopped'),
    errors.waitTimeout(500, '3/10 online'),
    errors.faultInvalid([problem]),
    errors.faultNoTargets('f1'),
    errors.outputWrite('/ro/x.json', cause),
    errors.outputExists('data/run1'),
    errors.internal('oops', cause),
  ]

  it('produce FleetErrors whose codes exist in the table, covering every code', () => {
    for (const e of made) {
      expect(e).toBeInstanceOf(FleetError)
      expect(Object.keys(ERROR_CODES)).toContain(e.code)
      expect(e.hint.length).toBeGreaterThan(0)
    }
    expect(new Set(made.map((e) => e.code))).toEqual(new Set(Object.keys(ERROR_CODES)))
  })

  it('keep the cause and put its message into the text', () => {
    const e = errors.brokerListen('127.0.0.1', 1883, new Error('EADDRINUSE'))
    expect(e.message).toBe('embedded broker cannot listen on 127.0.0.1:1883: EADDRINUSE')
    expect((e.cause as Error).message).toBe('EADDRINUSE')
    expect(errors.brokerUnreachable('mqtt://h:1').message).toBe('broker mqtt://h:1 is not reachable')
  })

  it('specInvalid counts problems and lists every one of them', () => {
    const one = errors.specInvalid('f.yaml', [problem])
    expect(one.message).toBe('f.yaml: 1 problem\n  f.yaml:2:3 devices[0].count: must be ≥ 1')
    const two = errors.specInvalid('f.yaml', [problem, { ...problem, line: 9, path: 'seed', message: 'not a number' }])
    expect(two.message.split('\n')).toHaveLength(3)
    expect(two.message).toContain('2 problems')
    expect(two.problems).toHaveLength(2)
  })

  it('fileNotFound keeps a custom hint', () => {
    expect(errors.fileNotFound('fleet file', 'x.yaml', 'try fleets/').hint).toBe('try fleets/')
  })
})

describe('messageOf', () => {
  it('takes the message of an Error and stringifies anything else', () => {
    expect(messageOf(new TypeError('t'))).toBe('t')
    expect(messageOf('plain')).toBe('plain')
    expect(messageOf(42)).toBe('42')
  })
})
