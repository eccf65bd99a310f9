import { resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { formatProblem, isFleetError, type ErrorCode, type FleetError, type SpecProblem } from '../../../src/core/errors.js'
import { checkProfileFile, loadFleet } from '../../../src/fleet/load-fleet.js'

/**
 * Every malformed fixture in test/fixtures/invalid/, with every problem it must produce: exact
 * line:column (checked against the fixture by hand), exact field path, the message, and the hint
 * where one is expected. The list must match in full — a missing or an extra problem fails.
 */
const DIR = 'test/fixtures/invalid'

interface Expected {
  /** `line:column`, 1-based. */
  at: string
  path: string
  message: string | RegExp
  hint?: string | RegExp
  /** Defaults to the fixture itself. */
  file?: string
}

interface Case {
  fixture: string
  what: string
  problems: Expected[]
}

const SYNTAX_HINT = 'fix the YAML syntax here'
const DURATION_HINT = 'write a number with a unit: 250ms, 30s, 5m, 2h, 7d'

const fleetCases: (Case & { code: ErrorCode })[] = [
  {
    fixture: 'yaml-unclosed-bracket.fleet.yaml',
    what: 'an unclosed flow mapping (reported where the parser finds the next key)',
    code: 'FLEET_ERR_SPEC_YAML_SYNTAX',
    problems: [{ at: '6:1', path: '', message: 'Flow map in block collection must be sufficiently indented and end with a }', hint: SYNTAX_HINT }],
  },
  {
    fixture: 'yaml-bad-indent.fleet.yaml',
    what: 'a key indented less than its siblings',
    code: 'FLEET_ERR_SPEC_YAML_SYNTAX',
    problems: [{ at: '7:1', path: '', message: 'Sequence item without - indicator', hint: SYNTAX_HINT }],
  },
  {
    fixture: 'yaml-over-indent.fleet.yaml',
    what: 'a key indented more than its siblings (the previous value becomes a two-line key)',
    code: 'FLEET_ERR_SPEC_YAML_SYNTAX',
    problems: [
      { at: '7:14', path: '', message: 'Nested mappings are not allowed in compact mappings', hint: SYNTAX_HINT },
      { at: '7:14', path: '', message: 'Implicit keys need to be on a single line', hint: SYNTAX_HINT },
    ],
  },
  {
    fixture: 'yaml-duplicate-key.fleet.yaml',
    what: 'the same key twice',
    code: 'FLEET_ERR_SPEC_YAML_SYNTAX',
    problems: [{ at: '4:1', path: '', message: 'Map keys must be unique', hint: SYNTAX_HINT }],
  },
  {
    fixture: 'empty.fleet.yaml',
    what: 'an empty document',
    code: 'FLEET_ERR_SPEC_INVALID',
    problems: [{ at: '1:1', path: '', message: 'expected object, got null' }],
  },
  {
    fixture: 'wrong-type-count.fleet.yaml',
    what: 'a string where a number belongs',
    code: 'FLEET_ERR_SPEC_INVALID',
    problems: [{ at: '7:12', path: 'groups[0].count', message: 'expected number, got string "ten"' }],
  },
  {
    fixture: 'unknown-top-key.fleet.yaml',
    what: 'a misspelt top-level key, which also leaves the real one missing',
    code: 'FLEET_ERR_SPEC_INVALID',
    problems: [
      { at: '2:1', path: 'duration', message: 'required field is missing', hint: 'add this field' },
      { at: '3:1', path: 'duraton', message: 'unknown field "duraton"', hint: 'did you mean "duration"?' },
    ],
  },
  {
    fixture: 'unknown-group-key.fleet.yaml',
    what: 'a misspelt key inside a group',
    code: 'FLEET_ERR_SPEC_INVALID',
    problems: [{ at: '8:5', path: 'groups[0].idPatern', message: 'unknown field "idPatern"', hint: 'did you mean "idPattern"?' }],
  },
  {
    fixture: 'unknown-fault-kind.fleet.yaml',
    what: 'a misspelt fault kind (in the second fault)',
    code: 'FLEET_ERR_SPEC_INVALID',
    problems: [{ at: '9:11', path: 'faults[1].kind', message: 'unknown fault kind "disconect"', hint: 'did you mean "disconnect"?' }],
  },
  {
    fixture: 'negative-count.fleet.yaml',
    what: 'a negative device count',
    code: 'FLEET_ERR_SPEC_INVALID',
    problems: [{ at: '5:68', path: 'groups[0].count', message: 'must be >= 0' }],
  },
  {
    fixture: 'bad-duration-unit.fleet.yaml',
    what: 'a duration in a unit that is not time',
    code: 'FLEET_ERR_SPEC_INVALID',
    problems: [{ at: '3:11', path: 'duration', message: 'not a duration: "10 parsecs"', hint: DURATION_HINT }],
  },
  {
    fixture: 'bad-duration-negative.fleet.yaml',
    what: 'a negative fault duration',
    code: 'FLEET_ERR_SPEC_INVALID',
    problems: [{ at: '9:15', path: 'faults[0].duration', message: 'not a duration: "-5s"', hint: DURATION_HINT }],
  },
  {
    fixture: 'fault-missing-duration.fleet.yaml',
    what: 'a disconnect without its required duration (reported at the fault)',
    code: 'FLEET_ERR_SPEC_INVALID',
    problems: [{ at: '7:5', path: 'faults[0].duration', message: 'required field is missing', hint: 'add this field' }],
  },
  {
    fixture: 'fault-unknown-param.fleet.yaml',
    what: 'a parameter the fault kind does not have',
    code: 'FLEET_ERR_SPEC_INVALID',
    problems: [{ at: '9:5', path: 'faults[0].mod', message: 'unknown field "mod"', hint: 'did you mean "mode"?' }],
  },
  {
    fixture: 'overlapping-faults.fleet.yaml',
    what: 'occurrences of a repeated fault that overlap, and times without every',
    code: 'FLEET_ERR_SPEC_INVALID',
    problems: [
      { at: '7:40', path: 'faults[0].every', message: 'occurrences would overlap: duration 15000 ms ≥ every 10000 ms', hint: 'make every longer than duration' },
      { at: '8:34', path: 'faults[1].times', message: 'only meaningful with every', hint: /^add every/ },
    ],
  },
  {
    fixture: 'rate-schedule.fleet.yaml',
    what: 'perDevicePerDay with every or probability',
    code: 'FLEET_ERR_SPEC_INVALID',
    problems: [
      { at: '7:57', path: 'faults[0].every', message: 'cannot be combined with perDevicePerDay', hint: /one schedule or the other/ },
      { at: '8:72', path: 'faults[1].probability', message: 'cannot be combined with perDevicePerDay', hint: /scale perDevicePerDay/ },
    ],
  },
  {
    fixture: 'rate-broker-fault.fleet.yaml',
    what: 'perDevicePerDay on a broker-wide fault',
    code: 'FLEET_ERR_SPEC_INVALID',
    problems: [{ at: '7:46', path: 'faults[0].perDevicePerDay', message: 'broker-restart is broker-wide: it has no per-device occurrences to draw', hint: /not perDevicePerDay/ }],
  },
  {
    fixture: 'overlapping-broker-faults.fleet.yaml',
    what: 'broker-wide faults whose windows overlap (reported at the later one)',
    code: 'FLEET_ERR_SPEC_INVALID',
    problems: [{ at: '8:32', path: 'faults[1].at', message: 'broker-outage at 1m20s overlaps broker-restart at 1m (until 1m30s): broker-wide faults may not overlap', hint: 'start it at 1m30s or later' }],
  },
  {
    fixture: 'target-fraction-too-big.fleet.yaml',
    what: 'a target fraction above 1',
    code: 'FLEET_ERR_SPEC_INVALID',
    problems: [{ at: '9:25', path: 'faults[0].target.fraction', message: 'must be <= 1' }],
  },
  {
    fixture: 'target-fraction-and-count.fleet.yaml',
    what: 'a target with both fraction and count (reported at the target mapping)',
    code: 'FLEET_ERR_SPEC_INVALID',
    problems: [{ at: '10:7', path: 'faults[0].target', message: 'give either fraction or count, not both', hint: /^fraction: 0\.1 picks 10%/ }],
  },
  {
    fixture: 'target-unknown-group.fleet.yaml',
    what: 'targets naming groups that do not exist, as a string and inside a list',
    code: 'FLEET_ERR_SPEC_INVALID',
    problems: [
      { at: '10:22', path: 'faults[0].target.group', message: 'no group named "sensor"', hint: 'did you mean "sensors"?' },
      { at: '14:23', path: 'faults[1].target.group', message: 'no group named "gateways"', hint: 'groups: sensors, meters' },
    ],
  },
  {
    fixture: 'unknown-profile.fleet.yaml',
    what: 'profiles that do not exist: a near miss, and a far one that lists what is available',
    code: 'FLEET_ERR_SPEC_INVALID',
    problems: [
      { at: '5:27', path: 'groups[0].profile', message: /^device profile "env-sensr" not found \(looked in .*env-sensr\.device\.yaml/, hint: 'did you mean "env-sensor"?' },
      {
        at: '6:28',
        path: 'groups[1].profile',
        message: /^device profile "thermostat" not found \(looked in /,
        hint: /^available: (.+, )?asset-tracker, (.+, )?env-sensor, (.+, )?smart-meter\b/,
      },
    ],
  },
  {
    fixture: 'duplicate-ids.fleet.yaml',
    what: 'two groups whose id patterns make the same ids',
    code: 'FLEET_ERR_SPEC_INVALID',
    problems: [{ at: '6:83', path: 'groups[1].idPattern', message: 'device id "d-01" is also made by group "lab"', hint: 'give each group its own id prefix' }],
  },
  {
    fixture: 'several-problems.fleet.yaml',
    what: 'nine problems in one file, each reported (including the cross-field duplicate group name)',
    code: 'FLEET_ERR_SPEC_INVALID',
    problems: [
      { at: '3:7', path: 'seed', message: 'expected number, got string "forty-two"' },
      { at: '5:15', path: 'ramp.rate', message: 'must be > 0' },
      { at: '7:68', path: 'groups[0].count', message: 'must be >= 0' },
      { at: '8:11', path: 'groups[1].name', message: 'group name "lab" is used twice', hint: 'groups[0] has it already' },
      { at: '11:5', path: 'groups[1].colour', message: 'unknown field "colour"', hint: 'allowed here: name, profile, count, idPattern, labels' },
      { at: '13:13', path: 'faults[0].kind', message: 'unknown fault kind "disconect"', hint: 'did you mean "disconnect"?' },
      { at: '14:34', path: 'faults[1].at', message: 'not a duration: "soon"', hint: DURATION_HINT },
      { at: '15:39', path: 'faults[2].samples', message: 'must be > 0' },
      { at: '15:62', path: 'faults[2].target.fraction', message: 'must be <= 1' },
    ],
  },
  {
    fixture: 'bad-profile.fleet.yaml',
    what: 'a valid fleet file whose shared profile is invalid and whose fault targets a missing group: both files, each problem once',
    code: 'FLEET_ERR_SPEC_INVALID',
    problems: [
      ...severalProfileProblems(resolve(DIR, 'several-problems.device.yaml')),
      { at: '9:56', path: 'faults[0].target.group', message: 'no group named "attic"', hint: 'groups: lab, roof' },
    ],
  },
  {
    fixture: 'sparkplug-ids.fleet.yaml',
    what: 'Sparkplug ids that expand to more than one topic level, and two devices that are one edge node',
    code: 'FLEET_ERR_SPEC_INVALID',
    problems: [
      {
        at: '5:88',
        path: 'groups[0].idPattern',
        message: 'Sparkplug edgeNodeId "{id}" expands to "site/01" for device "site/01": not one topic level (no "/", "+" or "#")',
        hint: 'give the group an idPattern without "/", "+" or "#", or set topics.edgeNodeId in profile "sparkplug-sensor" without {id}',
      },
      {
        at: '7:26',
        path: 'groups[2].profile',
        message: 'devices "gw-0001" and "gw-0002" are both Sparkplug edge node "gateway" in group "plant-1"',
        hint: 'every device is its own edge node: keep {id} in topics.edgeNodeId of profile "sparkplug-shared-node" (the default)',
      },
    ],
  },
]

/** several-problems.device.yaml: seven problems, the cross-field battery check among them. */
function severalProfileProblems(file?: string): Expected[] {
  return [
    { file, at: '3:22', path: 'telemetry.period', message: 'must be longer than 0', hint: 'e.g. 10s' },
    { file, at: '3:31', path: 'telemetry.qos', message: 'expected 0 or 1, got number 2' },
    { file, at: '4:37', path: 'firmware.bootTime', message: 'not a duration: "2 fortnights"', hint: DURATION_HINT },
    { file, at: '7:48', path: 'sensors.temperature.signal.amplitude', message: 'must be >= 0' },
    { file, at: '8:16', path: 'sensors.temperature.precision', message: 'must be <= 9' },
    { file, at: '9:5', path: 'sensors.temperature.nosie', message: 'unknown field "nosie"', hint: 'did you mean "noise"?' },
    { file, at: '10:64', path: 'battery.criticalPercent', message: 'must be below lowPercent' },
  ]
}

const profileCases: Case[] = [
  {
    fixture: 'yaml-tab-indent.device.yaml',
    what: 'a tab used as indentation',
    problems: [{ at: '4:1', path: '', message: 'Tabs are not allowed as indentation', hint: SYNTAX_HINT }],
  },
  {
    fixture: 'unknown-firmware.device.yaml',
    what: 'a firmware model that is not registered',
    problems: [{ at: '5:10', path: 'firmware.model', message: 'unknown firmware model "basik"', hint: 'did you mean "basic"?' }],
  },
  {
    fixture: 'range-min-max.device.yaml',
    what: 'ranges whose min is above, or equal to, their max',
    problems: [
      { at: '7:12', path: 'sensors.temperature.range', message: 'range min must be below max, got [85, -40]' },
      { at: '10:12', path: 'sensors.humidity.range', message: 'range min must be below max, got [50, 50]' },
    ],
  },
  {
    fixture: 'bad-signal-kind.device.yaml',
    what: 'a misspelt signal kind',
    problems: [{ at: '7:13', path: 'sensors.temperature.signal.kind', message: 'unknown kind "sinus"', hint: 'did you mean "sine"?' }],
  },
  {
    fixture: 'bad-values.device.yaml',
    what: 'a signal without kind, an enum typo, a tuple member out of range, a literal not allowed',
    problems: [
      { at: '7:13', path: 'sensors.temperature.signal.kind', message: 'required field is missing', hint: 'one of: constant, sine, random-walk, counter, route, diurnal, ou, markov, step, correlated' },
      { at: '8:51', path: 'battery.initialPercent[1]', message: 'must be <= 100' },
      { at: '9:23', path: 'connectivity.link', message: 'must be one of "wifi", "ethernet", "cellular", "lpwan"', hint: 'did you mean "wifi"?' },
      { at: '9:45', path: 'connectivity.protocolVersion', message: 'expected 4 or 5, got number 3' },
    ],
  },
  {
    fixture: 'sparkplug-bad-ids.device.yaml',
    what: 'Sparkplug id templates with "/" or "+", an unknown variable, and a generic topic field',
    problems: [
      { at: '9:12', path: 'topics.groupId', message: 'contains "/": a Sparkplug id must be one topic level', hint: 'use letters, digits, "-", "_" or "."; no "/", "+" or "#"' },
      { at: '10:15', path: 'topics.edgeNodeId', message: 'contains "+": a Sparkplug id must be one topic level' },
      { at: '11:13', path: 'topics.deviceId', message: 'unknown variable {serial}', hint: 'use {id}, {group}, {profile}' },
      { at: '12:3', path: 'topics.telemetry', message: 'unknown field "telemetry"', hint: 'allowed here: convention, groupId, edgeNodeId, deviceId' },
    ],
  },
  {
    fixture: 'sparkplug-convention.device.yaml',
    what: 'a misspelt topics.convention',
    problems: [{ at: '7:23', path: 'topics.convention', message: 'unknown convention "sparkplg"', hint: 'did you mean "sparkplug"?' }],
  },
  {
    fixture: 'several-problems.device.yaml',
    what: 'seven problems in one profile, each reported (including cross-field checks)',
    problems: severalProfileProblems(),
  },
]

function expectProblems(actual: readonly SpecProblem[], fixture: string, expected: Expected[]) {
  const file = `${DIR}/${fixture}`
  // Where and which field, for every problem, in order: a missing or extra problem fails here.
  expect(actual.map((p) => `${p.file} ${p.line}:${p.column} ${p.path}`)).toEqual(expected.map((e) => `${e.file ?? file} ${e.at} ${e.path}`))
  expected.forEach((e, i) => {
    const p = actual[i]!
    if (typeof e.message === 'string') expect(p.message).toBe(e.message)
    else expect(p.message).toMatch(e.message)
    const formatted = formatProblem(p)
    expect(formatted.startsWith(`${e.file ?? file}:${e.at}${e.path === '' ? '' : ` ${e.path}:`} ${p.message}`)).toBe(true)
    if (e.hint === undefined) return
    if (typeof e.hint === 'string') expect(formatted.endsWith(` — ${e.hint}`)).toBe(true)
    else expect(p.hint).toMatch(e.hint)
  })
}

function loadError(file: string): FleetError {
  try {
    loadFleet(file)
  } catch (e) {
    if (isFleetError(e)) return e
    throw e
  }
  throw new Error(`${file} loaded without error`)
}

describe('malformed fleet files (loadFleet)', () => {
  it.each(fleetCases)('$fixture: $what', ({ fixture, code, problems }) => {
    const e = loadError(`${DIR}/${fixture}`)
    expect(e.code).toBe(code)
    expectProblems(e.problems, fixture, problems)
    // The message lists every problem, formatted, one per line.
    for (const p of e.problems) expect(e.message).toContain(formatProblem(p))
  })

  it('formats an unknown fault kind exactly as STYLE.md shows it', () => {
    const [p] = loadError(`${DIR}/unknown-fault-kind.fleet.yaml`).problems
    expect(formatProblem(p!)).toBe(`${DIR}/unknown-fault-kind.fleet.yaml:9:11 faults[1].kind: unknown fault kind "disconect" — did you mean "disconnect"?`)
  })

  it('counts the problems in the error message', () => {
    expect(loadError(`${DIR}/several-problems.fleet.yaml`).message.split('\n')[0]).toBe(`${DIR}/several-problems.fleet.yaml: 9 problems`)
  })
})

describe('malformed device profiles (checkProfileFile)', () => {
  it.each(profileCases)('$fixture: $what', ({ fixture, problems }) => {
    const r = checkProfileFile(`${DIR}/${fixture}`)
    expect(r.ok).toBe(false)
    if (r.ok) return
    expectProblems(r.problems, fixture, problems)
  })

  it('accepts a valid profile and freezes it', () => {
    const r = checkProfileFile('test/fixtures/valid/mini-sensor.device.yaml')
    expect(r.ok).toBe(true)
    if (!r.ok) return
    expect(r.profile.name).toBe('mini-sensor')
    expect(r.profile.telemetry.period).toBe(1_000)
    expect(Object.isFrozen(r.profile.sensors)).toBe(true)
  })

  it('throws FLEET_ERR_SPEC_FILE_NOT_FOUND for a profile file that does not exist', () => {
    expect(() => checkProfileFile(`${DIR}/no-such.device.yaml`)).toThrow(expect.objectContaining({ code: 'FLEET_ERR_SPEC_FILE_NOT_FOUND' }))
  })
})
