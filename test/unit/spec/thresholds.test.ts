import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { formatProblem, isFleetError, type FleetError } from '../../../src/core/errors.js'
import { loadFleet } from '../../../src/fleet/load-fleet.js'
import {
  SLI_CATALOGUE,
  SLI_NAMES,
  checkThreshold,
  evaluateThresholds,
  parseThreshold,
  thresholdsSchema,
  thresholdsVerdict,
  type ParsedThreshold,
  type SliName,
  type ThresholdOp,
} from '../../../src/spec/index.js'

describe('parseThreshold: operators', () => {
  it.each<[string, ThresholdOp]>([
    ['< 5', '<'],
    ['<= 5', '<='],
    ['> 5', '>'],
    ['>= 5', '>='],
    ['== 5', '=='],
    ['!= 5', '!='],
    ['<5', '<'],
    ['  >=5  ', '>='],
    ['==   5', '=='],
  ])('%j → %s', (expression, op) => {
    expect(parseThreshold('loss', expression)).toEqual({ sli: 'loss', op, value: 5, expression })
  })
})

describe('parseThreshold: numbers and units, converted to the base unit', () => {
  it.each<[SliName, string, number]>([
    // durations → ms, through the project's duration units
    ['latency_p99', '< 200ms', 200],
    ['latency_p99', '< 0.5ms', 0.5],
    ['latency_p99', '< 200 ms', 200],
    ['reconnect_p95', '< 10s', 10_000],
    ['reconnect_p95', '< 1.5s', 1_500],
    ['reconnect_max', '< 2m', 120_000],
    ['reconnect_max', '< 1.1m', 66_000],
    ['all_online_after', '< 1h', 3_600_000],
    ['all_online_after', '< 1d', 86_400_000],
    ['reconnect_p95', '<= 1m30s', 90_000],
    ['reconnect_p95', '<= 1m 30s', 90_000],
    ['reconnect_p95', '<= 1h30m15s', 5_415_000],
    // bytes: powers of 1000 and of 1024
    ['rss_per_device', '<= 512B', 512],
    ['rss_per_device', '<= 50KB', 50_000],
    ['rss_per_device', '<= 50kB', 50_000],
    ['rss_peak', '< 1.5MB', 1_500_000],
    ['rss_peak', '< 2GB', 2_000_000_000],
    ['rss_per_device', '<= 32KiB', 32 * 1024],
    ['heap_peak', '< 1.5MiB', 1.5 * 1024 ** 2],
    ['heap_peak', '< 2GiB', 2 * 1024 ** 3],
    ['rss_per_device', '<= 50 KB', 50_000],
    // ratios: a fraction or a percentage, both the same double as the fraction written out
    ['connect_success_rate', '>= 0.999', 0.999],
    ['connect_success_rate', '>= 99.9%', 0.999],
    ['connect_success_rate', '>= 99.9 %', 0.999],
    ['connect_success_rate', '>= 1', 1],
    ['connect_success_rate', '>= 100%', 1],
    ['loss_rate', '< 0.01%', 0.0001],
    ['loss_rate', '< .5', 0.5],
    ['rss_growth', '< 150%', 1.5],
    // counts
    ['unexplained_loss', '== 0', 0],
    ['reconnects', '>= 1000', 1000],
    // per second
    ['delivered_per_second', '>= 1000', 1000],
    ['delivered_per_second', '>= 1000/s', 1000],
    ['delivered_per_second', '>= 12.5 /s', 12.5],
  ])('%s %j → %d', (sli, expression, value) => {
    expect(parseThreshold(sli, expression).value).toBe(value)
  })
})

describe('checkThreshold: every problem, with its hint', () => {
  it.each<[string, unknown, string, string]>([
    // unknown SLI: did you mean, and where SLIs are listed
    ['conect_success_rate', '>= 0.9', 'unknown SLI "conect_success_rate"', 'did you mean "connect_success_rate"? SLIs are listed in docs/fleet-file.md#thresholds'],
    ['throughput', '>= 0.9', 'unknown SLI "throughput"', 'SLIs are listed in docs/fleet-file.md#thresholds'],
    // not a string
    ['loss', 0, 'expected a comparison such as "== 0", got number 0', 'write the comparison as a quoted string, e.g. loss: "== 0"'],
    ['latency_p99', null, 'expected a comparison such as "< 200ms", got nothing', 'write the comparison as a quoted string, e.g. latency_p99: "< 200ms"'],
    // operator
    ['loss', 'less than 5', '"less than 5" does not start with a comparison', 'start with one of <= >= == != < >, e.g. "== 0"'],
    ['loss', '0', '"0" does not start with a comparison', 'start with one of <= >= == != < >, e.g. "== 0" (and quote it: unquoted, YAML reads != as a tag)'],
    ['loss', '= 0', '"=" is not an operator', 'write "== 0"'],
    ['connect_success_rate', '≥ 99.9%', '"≥" is not an operator', 'write ">= 99.9%"'],
    ['loss', '≤ 3', '"≤" is not an operator', 'write "<= 3"'],
    ['loss', '≠ 3', '"≠" is not an operator', 'write "!= 3"'],
    ['loss', '=< 3', '"=<" is not an operator', 'write "<= 3"'],
    ['loss', '=> 3', '"=>" is not an operator', 'write ">= 3"'],
    // number
    ['loss', '<', 'a number is missing after the operator', 'write "< <number>", e.g. "== 0"'],
    ['loss', '< many', '"many" is not a number', 'write "< <number>", e.g. "== 0"'],
    ['loss', '< -1', '"-1" is negative: write a limit of 0 or more', 'write "< <number>", e.g. "== 0"'],
    ['loss', '< 1,000', '"1,000": write the number without separators', 'write "< <number>", e.g. "== 0"'],
    ['loss', '< 1_000', '"1_000": write the number without separators', 'write "< <number>", e.g. "== 0"'],
    ['loss', '< 1e3', '"1e3": write the number in plain decimals, not exponent notation', 'write "< <number>", e.g. "== 0"'],
    ['latency_p99', '< 2 ms!', '"ms!" is not a unit of time: latency_p99 is a duration', 'did you mean "< 2ms"?'],
    ['connect_success_rate', '>= 0.5 0.6', 'expected one number, got "0.5 0.6"', 'e.g. ">= 99.9%"'],
    // durations
    ['latency_p99', '< 200', '"200" has no unit: latency_p99 is a duration', 'add a unit, e.g. "< 200ms"'],
    ['reconnect_p95', '< 1m 30', '"30" has no unit: reconnect_p95 is a duration', 'add a unit, e.g. "< 30ms"'],
    ['latency_p99', '< 2 sec', '"sec" is not a unit of time: latency_p99 is a duration', 'did you mean "< 2s"?'],
    ['reconnect_p95', '< 1min30s', '"min" is not a unit of time: reconnect_p95 is a duration', 'did you mean "< 1m30s"?'],
    ['latency_p99', '< 2KB', '"KB" is not a unit of time: latency_p99 is a duration', 'use ms, s, m or h, e.g. "< 2ms"'],
    ['latency_p99', '< 2%', '"%" is not a unit of time: latency_p99 is a duration', 'use ms, s, m or h, e.g. "< 2ms"'],
    // bytes
    ['rss_per_device', '<= 50', '"50" has no unit: rss_per_device is a size in bytes', 'add a unit, e.g. "<= 50KB" (or B, MB, GB; KiB, MiB, GiB)'],
    ['rss_per_device', '<= 50kb', '"kb" is not a unit of size: rss_per_device is in bytes', 'did you mean "<= 50KB"?'],
    ['rss_peak', '< 1mib', '"mib" is not a unit of size: rss_peak is in bytes', 'did you mean "< 1MiB"?'],
    ['rss_peak', '< 1s', '"s" is not a unit of size: rss_peak is in bytes', 'use B, KB, MB, GB (× 1000) or KiB, MiB, GiB (× 1024)'],
    ['rss_peak', '< 1TB', '"TB" is not a unit of size: rss_peak is in bytes', 'use B, KB, MB, GB (× 1000) or KiB, MiB, GiB (× 1024)'],
    // ratios
    ['connect_success_rate', '>= 99.9', '99.9 is above 1: connect_success_rate is a fraction from 0 to 1', 'did you mean ">= 99.9%"?'],
    ['connect_success_rate', '>= 99.9ms', '"ms" is not a unit of a ratio: connect_success_rate is a fraction', 'write a fraction or a percentage, e.g. ">= 99.9%"'],
    // counts
    ['loss', '< 1%', 'loss is a count: it takes no unit ("%")', 'write "< 1", or use loss_rate for a percentage'],
    ['unexplained_loss', '== 0 msgs', 'unexplained_loss is a count: it takes no unit ("msgs")', 'write "== 0"'],
    ['reconnects', '< 5s', 'reconnects is a count: it takes no unit ("s")', 'write "< 5"'],
    // per second
    ['delivered_per_second', '>= 100 msg/s', '"msg/s" is not a unit of a rate: delivered_per_second is per second', 'write ">= 100" or ">= 100/s"'],
  ])('%s: %j', (sli, expression, message, hint) => {
    expect(checkThreshold(sli, expression)).toEqual({ ok: false, message, hint })
  })

  it('parseThreshold throws FLEET_ERR_CORE_BAD_ARGUMENT with the same message and hint', () => {
    expect(() => parseThreshold('latency_p99', '< 200')).toThrow(
      expect.objectContaining({ code: 'FLEET_ERR_CORE_BAD_ARGUMENT', message: 'threshold latency_p99: "200" has no unit: latency_p99 is a duration', hint: 'add a unit, e.g. "< 200ms"' }),
    )
  })

  it('gives every SLI an example that parses', () => {
    for (const sli of SLI_NAMES) {
      const r = checkThreshold(sli, 7)
      expect(r.ok).toBe(false)
      if (r.ok) continue
      const example = /e\.g\. \w+: "(.+)"$/.exec(r.hint!)![1]!
      expect(checkThreshold(sli, example).ok).toBe(true)
    }
  })
})

describe('thresholdsSchema', () => {
  it('parses a mapping into thresholds in file order', () => {
    expect(thresholdsSchema.parse({ reconnect_p95: '< 10s', connect_success_rate: '>= 99.9%' })).toEqual([
      { sli: 'reconnect_p95', op: '<', value: 10_000, expression: '< 10s' },
      { sli: 'connect_success_rate', op: '>=', value: 0.999, expression: '>= 99.9%' },
    ])
  })

  it('reports every problem at its SLI, with its hint', () => {
    const r = thresholdsSchema.safeParse({ latency_p99: '< 200', loss: '== 0', lost: '== 0' })
    expect(r.success).toBe(false)
    expect(r.error!.issues.map((i) => [i.path, i.message, (i as { params?: { hint?: string } }).params?.hint])).toEqual([
      [['latency_p99'], '"200" has no unit: latency_p99 is a duration', 'add a unit, e.g. "< 200ms"'],
      [['lost'], 'unknown SLI "lost"', 'did you mean "loss"? SLIs are listed in docs/fleet-file.md#thresholds'],
    ])
  })
})

// ---------------------------------------------------------------------------------------------

const t = (sli: SliName, expression: string): ParsedThreshold => parseThreshold(sli, expression)
const evaluate = (sli: SliName, expression: string, actual: number | null) => evaluateThresholds([t(sli, expression)], { [sli]: actual })[0]!

describe('evaluateThresholds: each operator at its boundary, compared exactly', () => {
  it.each<[string, number, boolean, string]>([
    ['< 10', 9, true, '9 < 10'],
    ['< 10', 10, false, '10 ≥ 10'],
    ['<= 10', 10, true, '10 ≤ 10'],
    ['<= 10', 11, false, '11 > 10'],
    ['> 10', 11, true, '11 > 10'],
    ['> 10', 10, false, '10 ≤ 10'],
    ['>= 10', 10, true, '10 ≥ 10'],
    ['>= 10', 9, false, '9 < 10'],
    ['== 0', 0, true, '0 = 0'],
    ['== 0', 1, false, '1 ≠ 0'],
    ['!= 0', 1, true, '1 ≠ 0'],
    ['!= 0', 0, false, '0 = 0'],
    ['< 10', 9.9999999, true, '9.9999999 < 10'],
    ['== 1000', 1234567, false, '1,234,567 ≠ 1,000'],
  ])('reconnects %s with %d → %s (%s)', (expression, actual, pass, detail) => {
    expect(evaluate('reconnects', expression, actual)).toEqual({ sli: 'reconnects', expression, actual, pass, detail })
  })

  it('compares a percentage exactly: 99.9% is the double 0.999, and 0.99899 is below it', () => {
    expect(evaluate('connect_success_rate', '>= 99.9%', 0.999).pass).toBe(true)
    expect(evaluate('connect_success_rate', '>= 99.9%', 0.99899).pass).toBe(false)
  })
})

describe('evaluateThresholds: detail, in the SLI’s unit', () => {
  it.each<[SliName, string, number, string]>([
    ['reconnect_p95', '< 10s', 9_412, '9,412 ms < 10,000 ms'],
    ['reconnect_p95', '< 10s', 12_001, '12,001 ms ≥ 10,000 ms'],
    ['latency_p99', '< 200ms', 12.34, '12.3 ms < 200 ms'],
    // never "200 ms < 200 ms": enough decimals to tell the two apart
    ['latency_p99', '< 200ms', 199.9996, '199.9996 ms < 200 ms'],
    ['connect_success_rate', '>= 99.9%', 0.9995, '99.95% ≥ 99.9%'],
    ['connect_success_rate', '>= 0.999', 0.998, '99.8% < 99.9%'],
    // a rate that is not 1 never prints as 100%, a loss that is not 0 never as 0%
    ['online_at_end_rate', '>= 99.9%', 0.999999, '99.9999% ≥ 99.9%'],
    ['loss_rate', '== 0', 0.00001, '0.001% ≠ 0%'],
    ['rss_per_device', '<= 50KB', 33_100, '33.1 KB ≤ 50 KB'],
    ['rss_per_device', '<= 32KiB', 33_100, '32.3 KiB > 32 KiB'],
    ['rss_peak', '< 1GB', 1_500_000_000, '1.5 GB ≥ 1 GB'],
    ['heap_peak', '< 512B', 100, '100 B < 512 B'],
    ['delivered_per_second', '>= 1000/s', 1_234.5, '1,234.5/s ≥ 1,000/s'],
    ['unexplained_loss', '== 0', 3, '3 ≠ 0'],
  ])('%s %j at %d → %j', (sli, expression, actual, detail) => {
    expect(evaluate(sli, expression, actual).detail).toBe(detail)
  })
})

describe('evaluateThresholds: no data', () => {
  it('passes a vacuous SLI (nothing to breach)', () => {
    expect(evaluate('reconnect_p95', '< 10s', null)).toEqual({ sli: 'reconnect_p95', expression: '< 10s', actual: null, pass: true, detail: 'no reconnects in this run: nothing to breach' })
  })

  it('fails every other SLI', () => {
    expect(evaluate('latency_p99', '< 200ms', null)).toEqual({ sli: 'latency_p99', expression: '< 200ms', actual: null, pass: false, detail: 'no data' })
  })

  it('treats a missing or NaN value as no data', () => {
    expect(evaluateThresholds([t('loss', '== 0')], {})[0]).toMatchObject({ actual: null, pass: false, detail: 'no data' })
    expect(evaluate('loss', '== 0', Number.NaN)).toMatchObject({ actual: null, pass: false })
  })

  it('marks exactly the reconnect times as vacuous', () => {
    expect(SLI_NAMES.filter((n) => (SLI_CATALOGUE[n] as { vacuous?: boolean }).vacuous)).toEqual(['reconnect_p50', 'reconnect_p95', 'reconnect_p99', 'reconnect_max'])
  })
})

describe('thresholdsVerdict', () => {
  const v = (pass: boolean) => ({ sli: 'loss' as const, expression: '== 0', actual: 0, pass, detail: '' })
  it.each([
    [[], 'none'],
    [[v(true)], 'pass'],
    [[v(true), v(true)], 'pass'],
    [[v(true), v(false)], 'fail'],
    [[v(false)], 'fail'],
  ] as const)('%j → %s', (verdicts, expected) => {
    expect(thresholdsVerdict(verdicts)).toBe(expected)
  })
})

// ---------------------------------------------------------------------------------------------

describe('thresholds in a fleet file (loadFleet)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fleet-emu-thresholds-'))
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  const write = (name: string, text: string) => {
    const file = join(dir, name)
    writeFileSync(file, text)
    return file
  }

  const loadError = (file: string): FleetError => {
    try {
      loadFleet(file)
    } catch (e) {
      if (isFleetError(e)) return e
      throw e
    }
    throw new Error(`${file} loaded without error`)
  }

  const head = ['name: thr', 'duration: 1m', 'groups:', '  - { name: sensors, profile: env-sensor, count: 2 }']

  it('loads thresholds parsed to base units, in file order, frozen', () => {
    const file = write('ok.fleet.yaml', [...head, 'thresholds:', '  connect_success_rate: ">= 99.9%"', '  reconnect_p95: "< 10s"', '  rss_per_device: "<= 50KB"', ''].join('\n'))
    const fleet = loadFleet(file)
    expect(fleet.spec.thresholds).toEqual([
      { sli: 'connect_success_rate', op: '>=', value: 0.999, expression: '>= 99.9%' },
      { sli: 'reconnect_p95', op: '<', value: 10_000, expression: '< 10s' },
      { sli: 'rss_per_device', op: '<=', value: 50_000, expression: '<= 50KB' },
    ])
    expect(Object.isFrozen(fleet.spec.thresholds[0])).toBe(true)
  })

  it('defaults to no thresholds', () => {
    expect(loadFleet(write('none.fleet.yaml', head.join('\n') + '\n')).spec.thresholds).toEqual([])
  })

  it('reports a bad threshold at its line, with its path and hint', () => {
    const file = write('one.fleet.yaml', [...head, 'thresholds:', '  latency_p99: "< 200"', ''].join('\n'))
    const e = loadError(file)
    expect(e.code).toBe('FLEET_ERR_SPEC_INVALID')
    expect(e.problems.map(formatProblem)).toEqual([`${file}:6:16 thresholds.latency_p99: "200" has no unit: latency_p99 is a duration — add a unit, e.g. "< 200ms"`])
  })

  it('reports every bad threshold at once, beside the file’s other problems', () => {
    const file = write(
      'several.fleet.yaml',
      [
        'name: thr',
        'seed: forty-two',
        'duration: 1m',
        'groups:',
        '  - { name: sensors, profile: env-sensor, count: 2 }',
        'thresholds:',
        '  connect_success_rate: ">= 99.9"',
        '  latency_p99: "< 200"',
        '  conect_p95: "< 1s"',
        '  loss: 0',
        '  rss_per_device: "<= 50KB"',
        '  unexplained_loss: "< 1%"',
        '',
      ].join('\n'),
    )
    const e = loadError(file)
    expect(e.problems.map(formatProblem)).toEqual([
      `${file}:2:7 seed: expected number, got string "forty-two"`,
      `${file}:7:25 thresholds.connect_success_rate: 99.9 is above 1: connect_success_rate is a fraction from 0 to 1 — did you mean ">= 99.9%"?`,
      `${file}:8:16 thresholds.latency_p99: "200" has no unit: latency_p99 is a duration — add a unit, e.g. "< 200ms"`,
      `${file}:9:15 thresholds.conect_p95: unknown SLI "conect_p95" — did you mean "connect_p95"? SLIs are listed in docs/fleet-file.md#thresholds`,
      `${file}:10:9 thresholds.loss: expected a comparison such as "== 0", got number 0 — write the comparison as a quoted string, e.g. loss: "== 0"`,
      `${file}:12:21 thresholds.unexplained_loss: unexplained_loss is a count: it takes no unit ("%") — write "< 1"`,
    ])
    expect(e.message.split('\n')[0]).toBe(`${file}: 6 problems`)
  })

  it('reports thresholds that are not a mapping', () => {
    const file = write('list.fleet.yaml', [...head, 'thresholds:', '  - latency_p99: "< 200ms"', ''].join('\n'))
    expect(loadError(file).problems.map((p) => `${p.line}:${p.column} ${p.path}: ${p.message}`)).toEqual(['6:3 thresholds: expected record, got a list'])
  })
})
