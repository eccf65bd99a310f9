import { z } from 'zod'
import { closest, didYouMean, errors, parseDuration } from '../core/index.js'
import { SLI_CATALOGUE, SLI_NAMES, type SliInfo, type SliName, type SliUnit, type SliValues } from './sli.js'

/**
 * Thresholds: k6-style pass/fail criteria on the SLIs a run measures, written in the fleet file as
 * `<sli>: "<op> <number>[unit]"`. The unit is checked against the SLI's unit and converted to its
 * base unit (ms, bytes, a fraction, a count, per second) once, here at the edge.
 */
export type ThresholdOp = '<' | '<=' | '>' | '>=' | '==' | '!='

export interface ParsedThreshold {
  sli: SliName
  op: ThresholdOp
  /** The limit in the SLI's base unit: ms, bytes, a fraction (99.9% → 0.999), a count, per second. */
  value: number
  /** As written in the fleet file, e.g. "< 10s". */
  expression: string
}

/** One threshold's outcome for report.json. */
export interface ThresholdVerdict {
  sli: SliName
  /** As written in the fleet file, e.g. "< 10s". */
  expression: string
  /** The SLI's value (base unit), null when the run had no data for it. */
  actual: number | null
  pass: boolean
  /** Why, in words: "9,412 ms < 10,000 ms", "no reconnects in this run: nothing to breach", "no data". */
  detail: string
}

export type ThresholdCheck = { ok: true; threshold: ParsedThreshold } | { ok: false; message: string; hint?: string }

export const THRESHOLDS_DOC = 'docs/fleet-file.md#thresholds'

const OPS: readonly ThresholdOp[] = ['<=', '>=', '==', '!=', '<', '>']
const OP_RE = /^\s*(<=|>=|==|!=|<|>)/
/** Look-alikes people type or copy from a report's detail, with what to write instead. */
const OP_LOOKALIKES: Record<string, ThresholdOp> = { '≤': '<=', '≥': '>=', '≠': '!=', '=<': '<=', '=>': '>=', '=': '==' }
const NUMBER = String.raw`(?:\d+(?:\.\d+)?|\.\d+)`
/** One `<number>[unit]` part; a duration may have several (1m30s). */
const PART_RE = new RegExp(String.raw`\s*(${NUMBER})\s*([^\d\s.]*)`, 'y')
/** In the order "did you mean" should prefer them ("min" → m, "sec" → s). */
const DURATION_UNITS = ['s', 'm', 'h', 'ms', 'd', 'w']
const BYTE_UNITS: Record<string, number> = { B: 1, KB: 1e3, kB: 1e3, MB: 1e6, GB: 1e9, KiB: 1024, MiB: 1024 ** 2, GiB: 1024 ** 3 }
const EXAMPLE: Record<SliUnit, string> = { ms: '< 200ms', bytes: '<= 50KB', ratio: '>= 99.9%', count: '== 0', per_second: '>= 100/s' }

interface Part {
  number: string
  unit: string
}

/**
 * Exactly `number × factor`, as the nearest double: "99.9" × 1/100 gives the same double as 0.999,
 * where 99.9 / 100 would not. (Integer mantissa × factor, then one correctly rounded division.)
 */
function scaled(number: string, factor: number, divisor = 1): number {
  const [int, frac = ''] = number.split('.')
  return (Number(`${int}${frac}`) * factor) / (divisor * 10 ** frac.length)
}

function fail(message: string, hint?: string): ThresholdCheck {
  return { ok: false, message, hint }
}

/**
 * The one parser of threshold expressions (the fleet-file schema uses it too): checks the
 * expression against the SLI's unit and converts the number to the SLI's base unit.
 * Returns the problem instead of throwing; see {@link parseThreshold} for the throwing form.
 *
 * @example checkThreshold('reconnect_p95', '< 10s') // { ok: true, threshold: { sli: 'reconnect_p95', op: '<', value: 10_000, expression: '< 10s' } }
 */
export function checkThreshold(sli: string, expression: unknown): ThresholdCheck {
  if (!isSliName(sli)) return fail(`unknown SLI "${sli}"`, unknownSliHint(sli))
  const { unit } = SLI_CATALOGUE[sli]
  if (typeof expression !== 'string') {
    const got = expression === null || expression === undefined ? 'nothing' : `${typeof expression} ${JSON.stringify(expression)}`
    return fail(`expected a comparison such as "${EXAMPLE[unit]}", got ${got}`, 'write the comparison as a quoted string, e.g. ' + `${sli}: "${EXAMPLE[unit]}"`)
  }
  const m = OP_RE.exec(expression)
  if (!m) {
    const lookalike = Object.keys(OP_LOOKALIKES).find((l) => expression.trimStart().startsWith(l))
    if (lookalike) {
      const rest = expression.trimStart().slice(lookalike.length).trim()
      return fail(`"${lookalike}" is not an operator`, `write "${OP_LOOKALIKES[lookalike]} ${rest}"`)
    }
    // An unquoted `!= 0` reaches us as "0" (YAML reads `!=` as a tag).
    const quote = /^\s*[\d.]/.test(expression) ? ' (and quote it: unquoted, YAML reads != as a tag)' : ''
    return fail(`"${expression}" does not start with a comparison`, `start with one of ${OPS.join(' ')}, e.g. "${EXAMPLE[unit]}"${quote}`)
  }
  const op = m[1] as ThresholdOp
  const rest = expression.slice(m[0].length).trim()
  const parts = splitParts(rest)
  if (typeof parts === 'string') return fail(parts, `write "${op} <number>${unitWord(unit)}", e.g. "${EXAMPLE[unit]}"`)
  const value = toBaseUnit(sli, unit, op, parts)
  if (typeof value !== 'number') return { ok: false, ...value }
  return { ok: true, threshold: { sli, op, value, expression } }
}

/**
 * Like {@link checkThreshold} but throws `FLEET_ERR_CORE_BAD_ARGUMENT` (for thresholds given in code).
 *
 * @example parseThreshold('connect_success_rate', '>= 99.9%').value // 0.999
 */
export function parseThreshold(sli: string, expression: string): ParsedThreshold {
  const r = checkThreshold(sli, expression)
  if (!r.ok) throw errors.badArgument(`threshold ${sli}: ${r.message}`, r.hint)
  return r.threshold
}

export function isSliName(name: string): name is SliName {
  return Object.hasOwn(SLI_CATALOGUE, name)
}

function unknownSliHint(name: string): string {
  const suggestion = didYouMean(name, SLI_NAMES)
  return `${suggestion ? `${suggestion} ` : ''}SLIs are listed in ${THRESHOLDS_DOC}`
}

function unitWord(unit: SliUnit): string {
  return unit === 'ms' ? '<unit>' : unit === 'bytes' ? '<B|KB|MB|GB|KiB|MiB|GiB>' : unit === 'ratio' ? '[%]' : unit === 'per_second' ? '[/s]' : ''
}

/** "1m 30s" → parts; a string is the problem. */
function splitParts(rest: string): Part[] | string {
  if (rest === '') return 'a number is missing after the operator'
  if (rest.startsWith('-')) return `"${rest}" is negative: write a limit of 0 or more`
  if (/\d[,_]\d/.test(rest)) return `"${rest}": write the number without separators`
  if (/\d[eE][+-]?\d/.test(rest)) return `"${rest}": write the number in plain decimals, not exponent notation`
  const parts: Part[] = []
  PART_RE.lastIndex = 0
  while (PART_RE.lastIndex < rest.length) {
    const at = PART_RE.lastIndex
    const m = PART_RE.exec(rest)
    if (!m) return `"${rest.slice(at).trim()}" is not a number`
    parts.push({ number: m[1]!, unit: m[2]! })
  }
  return parts
}

function toBaseUnit(sli: SliName, unit: SliUnit, op: ThresholdOp, parts: Part[]): number | { message: string; hint?: string } {
  const first = parts[0]!
  if (unit !== 'ms' && parts.length > 1) {
    return { message: `expected one number, got "${parts.map((p) => p.number + p.unit).join(' ')}"`, hint: `e.g. "${EXAMPLE[unit]}"` }
  }
  switch (unit) {
    case 'ms': {
      let total = 0
      for (const p of parts) {
        if (p.unit === '') return { message: `"${p.number}" has no unit: ${sli} is a duration`, hint: `add a unit, e.g. "${op} ${p.number}ms"` }
        const ms = durationUnitMs(p.unit)
        if (ms === undefined) {
          const near = nearUnit(p.unit, DURATION_UNITS)
          const fixed = parts.map((q) => q.number + (q === p ? near : q.unit)).join('')
          return { message: `"${p.unit}" is not a unit of time: ${sli} is a duration`, hint: near ? `did you mean "${op} ${fixed}"?` : `use ms, s, m or h, e.g. "${op} ${p.number}ms"` }
        }
        total += scaled(p.number, ms)
      }
      return total
    }
    case 'bytes': {
      if (first.unit === '') return { message: `"${first.number}" has no unit: ${sli} is a size in bytes`, hint: `add a unit, e.g. "${op} ${first.number}KB" (or B, MB, GB; KiB, MiB, GiB)` }
      const factor = BYTE_UNITS[first.unit]
      if (factor === undefined) {
        const near = nearUnit(first.unit, Object.keys(BYTE_UNITS))
        return { message: `"${first.unit}" is not a unit of size: ${sli} is in bytes`, hint: near ? `did you mean "${op} ${first.number}${near}"?` : 'use B, KB, MB, GB (× 1000) or KiB, MiB, GiB (× 1024)' }
      }
      return scaled(first.number, factor)
    }
    case 'ratio': {
      if (first.unit === '%') return scaled(first.number, 1, 100)
      if (first.unit !== '') return { message: `"${first.unit}" is not a unit of a ratio: ${sli} is a fraction`, hint: `write a fraction or a percentage, e.g. "${op} ${first.number}%"` }
      const value = scaled(first.number, 1)
      if (value > 1) return { message: `${first.number} is above 1: ${sli} is a fraction from 0 to 1`, hint: `did you mean "${op} ${first.number}%"?` }
      return value
    }
    case 'count': {
      if (first.unit !== '') {
        const rate = `${sli}_rate`
        const alt = first.unit === '%' && isSliName(rate) ? `, or use ${rate} for a percentage` : ''
        return { message: `${sli} is a count: it takes no unit ("${first.unit}")`, hint: `write "${op} ${first.number}"${alt}` }
      }
      return scaled(first.number, 1)
    }
    case 'per_second': {
      if (first.unit !== '' && first.unit !== '/s') return { message: `"${first.unit}" is not a unit of a rate: ${sli} is per second`, hint: `write "${op} ${first.number}" or "${op} ${first.number}/s"` }
      return scaled(first.number, 1)
    }
  }
}

/** A likely intended unit ("min" → m, "mb" → MB): the closest one starting with the same letter. */
function nearUnit(unit: string, units: readonly string[]): string | undefined {
  const c = closest(unit, units)
  return c !== undefined && c[0]!.toLowerCase() === unit[0]!.toLowerCase() ? c : undefined
}

/** Milliseconds in one `unit` as the project's duration parser reads it; undefined if it is not a duration unit. */
function durationUnitMs(unit: string): number | undefined {
  if (!/^[a-z]+$/.test(unit)) return undefined
  try {
    return parseDuration(`1${unit}`)
  } catch {
    return undefined
  }
}

/**
 * `thresholds:` in a fleet file: SLI name → comparison, parsed into {@link ParsedThreshold}s (in file
 * order). Every problem is reported at `thresholds.<name>` with a hint.
 *
 * @example thresholdsSchema.parse({ reconnect_p95: '< 10s' }) // [{ sli: 'reconnect_p95', op: '<', value: 10000, expression: '< 10s' }]
 */
export const thresholdsSchema = z
  .record(z.string(), z.unknown())
  .transform((written, ctx) => {
    const parsed: ParsedThreshold[] = []
    for (const [name, expression] of Object.entries(written)) {
      const r = checkThreshold(name, expression)
      if (r.ok) parsed.push(r.threshold)
      else ctx.addIssue({ code: 'custom', path: [name], message: r.message, params: { hint: r.hint } })
    }
    return parsed
  })
  // For editors (schemas/fleet.schema.json): complete the SLI names, show each one's unit and meaning.
  .meta({
    description: `SLI name → comparison, e.g. reconnect_p95: "< 10s". See ${THRESHOLDS_DOC}`,
    properties: Object.fromEntries(
      SLI_NAMES.map((name) => {
        const info: { unit: SliUnit; help: string } = SLI_CATALOGUE[name]
        return [name, { type: 'string', pattern: String.raw`^\s*(<=|>=|==|!=|<|>)\s*[0-9.]`, description: `${info.help}. Unit: ${info.unit}, e.g. "${EXAMPLE[info.unit]}"` }]
      }),
    ),
    additionalProperties: false,
  })

// ---------------------------------------------------------------------------------------------
// Evaluation

// Fixed locale: a report reads the same on every machine.
const formatters = new Map<number, Intl.NumberFormat>()
function fmt(n: number, decimals: number): string {
  let f = formatters.get(decimals)
  if (!f) formatters.set(decimals, (f = new Intl.NumberFormat('en-US', { maximumFractionDigits: decimals })))
  return f.format(n)
}

const SYMBOL: Record<ThresholdOp, string> = { '<': '<', '<=': '≤', '>': '>', '>=': '≥', '==': '=', '!=': '≠' }
const NEGATION: Record<ThresholdOp, ThresholdOp> = { '<': '>=', '<=': '>', '>': '<=', '>=': '<', '==': '!=', '!=': '==' }
/** What a vacuous SLI counts, for "no reconnects in this run: nothing to breach". */
const COUNTED: Partial<Record<string, string>> = { reconnect: 'reconnects' }

function isVacuous(sli: SliName): boolean {
  const info: SliInfo = SLI_CATALOGUE[sli]
  return info.vacuous === true
}

function holds(actual: number, op: ThresholdOp, limit: number): boolean {
  switch (op) {
    case '<':
      return actual < limit
    case '<=':
      return actual <= limit
    case '>':
      return actual > limit
    case '>=':
      return actual >= limit
    case '==':
      return actual === limit
    case '!=':
      return actual !== limit
  }
}

/** How a number in base units is shown, for one SLI unit and one threshold (whose unit decides KB vs KiB). */
function displayFor(t: ParsedThreshold): { scale: number; suffix: string; decimals: number } {
  switch (SLI_CATALOGUE[t.sli].unit) {
    case 'ms':
      return { scale: 1, suffix: ' ms', decimals: 1 }
    case 'ratio':
      return { scale: 100, suffix: '%', decimals: 2 }
    case 'per_second':
      return { scale: 1, suffix: '/s', decimals: 1 }
    case 'count':
      return { scale: 1, suffix: '', decimals: 1 }
    case 'bytes': {
      const base = /iB\s*$/.test(t.expression) ? 1024 : 1000
      const names = base === 1024 ? ['B', 'KiB', 'MiB', 'GiB'] : ['B', 'KB', 'MB', 'GB']
      let i = 0
      while (i < names.length - 1 && t.value >= base ** (i + 1)) i++
      return { scale: 1 / base ** i, suffix: ` ${names[i]!}`, decimals: 1 }
    }
  }
}

/**
 * "9,412 ms < 10,000 ms": both sides in the same unit, with enough decimals that two different
 * numbers never print alike (199.9996 ms is not "200 ms < 200 ms").
 */
function describeComparison(actual: number, op: ThresholdOp, t: ParsedThreshold): string {
  const d = displayFor(t)
  const a = actual * d.scale
  const l = t.value * d.scale
  // A rate that is not exactly 1 never prints as "100%", a loss that is not 0 never as "0".
  const misleading = (decimals: number) =>
    (actual !== t.value && fmt(a, decimals) === fmt(l, decimals)) || (actual !== 0 && fmt(a, decimals) === '0') || (d.suffix === '%' && actual !== 1 && fmt(a, decimals) === '100')
  let decimals = d.decimals
  while (decimals < 15 && misleading(decimals)) decimals++
  return `${fmt(a, decimals)}${d.suffix} ${SYMBOL[op]} ${fmt(l, decimals)}${d.suffix}`
}

/**
 * Evaluates thresholds against a run's SLIs. Comparisons are exact (no tolerance). A null SLI passes
 * when the SLI is vacuous (no reconnects: nothing to breach) and fails otherwise (no data).
 *
 * @example evaluateThresholds([parseThreshold('reconnect_p95', '< 10s')], slis) // [{ sli: 'reconnect_p95', pass: true, detail: '9,412 ms < 10,000 ms', … }]
 */
export function evaluateThresholds(thresholds: readonly ParsedThreshold[], slis: Partial<SliValues>): ThresholdVerdict[] {
  return thresholds.map((t) => {
    const raw = slis[t.sli]
    const actual = typeof raw === 'number' && !Number.isNaN(raw) ? raw : null
    const base = { sli: t.sli, expression: t.expression, actual }
    if (actual === null) {
      if (!isVacuous(t.sli)) return { ...base, pass: false, detail: 'no data' }
      const counted = COUNTED[t.sli.replace(/_[^_]+$/, '')] ?? `${t.sli} data`
      return { ...base, pass: true, detail: `no ${counted} in this run: nothing to breach` }
    }
    const pass = holds(actual, t.op, t.value)
    return { ...base, pass, detail: describeComparison(actual, pass ? t.op : NEGATION[t.op], t) }
  })
}

/** fail when any threshold failed; pass when all passed; none when there are none. */
export function thresholdsVerdict(verdicts: readonly ThresholdVerdict[]): 'pass' | 'fail' | 'none' {
  if (verdicts.length === 0) return 'none'
  return verdicts.every((v) => v.pass) ? 'pass' : 'fail'
}
