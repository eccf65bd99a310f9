import type { z } from 'zod'
import { didYouMean, type SpecProblem } from '../core/index.js'
import type { FieldPath, YamlSource } from './yaml-source.js'

/** `faults[2].kind` from ['faults', 2, 'kind']. */
export function formatPath(path: FieldPath): string {
  let out = ''
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`
    else out += out === '' ? String(seg) : `.${String(seg)}`
  }
  return out
}

/**
 * Turns zod issues into problems with file:line:column, the field path, a plain message and a hint.
 * `schema` is used to suggest the nearest known key for unknown keys ("did you mean …").
 */
export function issuesToProblems(source: YamlSource, issues: readonly z.core.$ZodIssue[], schema: z.ZodType, prefix: FieldPath = []): SpecProblem[] {
  const problems: SpecProblem[] = []
  for (const issue of issues) {
    const path = [...prefix, ...issue.path]
    if (issue.code === 'invalid_union' && !issue.discriminator && valueAt(source.data, path).present) {
      // A union whose input has the shape of exactly one branch (a tuple, a mapping): that branch's
      // problems say more than "Invalid input".
      const shaped = issue.errors.filter((branch) => !branch.every((b) => b.path.length === 0 && (b.code === 'invalid_type' || b.code === 'invalid_value')))
      if (shaped.length === 1) {
        problems.push(...issuesToProblems(source, shaped[0]!.map((b) => ({ ...b, path: [...issue.path, ...b.path] })), schema, prefix))
        continue
      }
    }
    if (issue.code === 'unrecognized_keys') {
      // Keys inside a fault are checked by the fault kind's own schema, which a walk of the fleet
      // schema cannot see into; src/spec/fault.schema.ts passes them along as params.knownKeys.
      const known = knownKeysAt(schema, issue.path, source.data, prefix) ?? (issue as { params?: { knownKeys?: string[] } }).params?.knownKeys
      for (const key of issue.keys) {
        const keyPath = [...path, key]
        problems.push({
          file: source.file,
          ...source.position(keyPath, 'key'),
          path: formatPath(keyPath),
          message: `unknown field "${key}"`,
          hint: (known && didYouMean(key, known)) ?? (known ? `allowed here: ${known.join(', ')}` : undefined),
        })
      }
      continue
    }
    const params = (issue as { params?: { hint?: string } }).params
    // zod 4 leaves `input` out of issues unless asked, so read what the file says at the path.
    const got = valueAt(source.data, path)
    problems.push({
      file: source.file,
      ...source.position(path),
      path: formatPath(path),
      message: plainMessage(issue, got),
      hint: params?.hint ?? hintFor(issue, got),
    })
  }
  return sortProblems(problems)
}

export function sortProblems(problems: SpecProblem[]): SpecProblem[] {
  return problems.sort((a, b) => a.file.localeCompare(b.file) || (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0))
}

interface Found {
  present: boolean
  value: unknown
}

/** The raw value at `path` in the parsed file, and whether the key is there at all. */
function valueAt(root: unknown, path: FieldPath): Found {
  let value = root
  for (const seg of path) {
    if (typeof value !== 'object' || value === null || !(seg in value)) return { present: false, value: undefined }
    value = (value as Record<PropertyKey, unknown>)[seg]
  }
  return { present: true, value }
}

function plainMessage(issue: z.core.$ZodIssue, got: Found): string {
  switch (issue.code) {
    case 'invalid_type':
      if (!got.present) return `required field is missing (expected ${issue.expected})`
      return `expected ${issue.expected}, got ${describe(got.value)}`
    case 'invalid_union': {
      if (!got.present) return 'required field is missing'
      if (issue.discriminator) return `unknown ${issue.discriminator} ${JSON.stringify(got.value)}`
      const values = issue.errors.flatMap((branch) => branch.flatMap((b) => (b.code === 'invalid_value' && b.path.length === 0 ? b.values : [])))
      const types = issue.errors.flatMap((branch) => branch.flatMap((b) => (b.code === 'invalid_type' && b.path.length === 0 ? [b.expected] : [])))
      const expected = [...values.map((v) => JSON.stringify(v)), ...types]
      return expected.length > 0 ? `expected ${expected.join(' or ')}, got ${describe(got.value)}` : issue.message
    }
    case 'too_small':
      return issue.origin === 'array' ? `needs at least ${String(issue.minimum)} item(s)` : `must be ${issue.inclusive ? '>=' : '>'} ${String(issue.minimum)}`
    case 'too_big':
      return issue.origin === 'array' ? `allows at most ${String(issue.maximum)} item(s)` : `must be ${issue.inclusive ? '<=' : '<'} ${String(issue.maximum)}`
    case 'invalid_value':
      return `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`
    default:
      return issue.message
  }
}

function hintFor(issue: z.core.$ZodIssue, got: Found): string | undefined {
  if (issue.code === 'invalid_union' && issue.discriminator && 'options' in issue && issue.options) {
    // A defaulted discriminator (`convention` of topics) lists undefined among the options.
    const options = issue.options.filter((o) => o !== undefined && o !== null).map(String)
    return (typeof got.value === 'string' ? didYouMean(got.value, options) : undefined) ?? `one of: ${options.join(', ')}`
  }
  if ((issue.code === 'invalid_type' || issue.code === 'invalid_union') && !got.present) return 'add this field'
  if (issue.code === 'invalid_value' && typeof got.value === 'string') return didYouMean(got.value, issue.values.map(String))
  return undefined
}

function describe(v: unknown): string {
  if (v === null) return 'null'
  if (Array.isArray(v)) return 'a list'
  if (typeof v === 'object') return 'a mapping'
  return `${typeof v} ${JSON.stringify(v)}`
}

/** Best-effort walk of a zod 4 schema along a data path, to list the keys an object allows. */
export function knownKeysAt(schema: z.ZodType, path: FieldPath, root: unknown, prefix: FieldPath = []): string[] | undefined {
  let data: unknown = root
  for (const seg of prefix) data = (data as Record<PropertyKey, unknown> | undefined)?.[seg]
  let s: unknown = schema
  let i = 0
  for (let guard = 0; guard < 200; guard++) {
    // `s` is undefined once the path names a key the schema does not have.
    const def = (s as { def?: Record<string, unknown> } | undefined)?.def
    if (!def) return undefined
    const type = def.type as string
    if (type === 'optional' || type === 'default' || type === 'nullable' || type === 'prefault' || type === 'readonly') {
      s = def.innerType
      continue
    }
    if (type === 'pipe') {
      // z.preprocess(fn, schema) is a pipe from a transform into the schema that holds the keys.
      const from = def.in as { def?: { type?: string } } | undefined
      s = from?.def?.type === 'transform' ? def.out : def.in
      continue
    }
    if (type === 'pipe') {
      s = def.in
      continue
    }
    if (type === 'union') {
      const options = def.options as z.ZodType[]
      const disc = def.discriminator as string | undefined
      const value = disc ? (data as Record<string, unknown> | undefined)?.[disc] : undefined
      const match = options.find((o) => {
        const shape = (o as { def?: { shape?: Record<string, { def?: { values?: unknown[] } }> } }).def?.shape
        return disc && shape?.[disc]?.def?.values?.includes(value)
      })
      s = match ?? options.find((o) => (o as { def?: { type?: string } }).def?.type === 'object') ?? options[0]
      continue
    }
    if (i === path.length) return type === 'object' ? Object.keys(def.shape as object) : undefined
    const seg = path[i++]!
    data = (data as Record<PropertyKey, unknown> | undefined)?.[seg]
    if (type === 'object') s = (def.shape as Record<string, unknown>)[String(seg)]
    else if (type === 'array') s = def.element
    else if (type === 'record') s = def.valueType
    else return undefined
  }
  return undefined
}
