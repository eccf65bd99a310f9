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
    if (issue.code === 'unrecognized_keys') {
      const known = knownKeysAt(schema, issue.path, source.data, prefix)
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
    problems.push({
      file: source.file,
      ...source.position(path),
      path: formatPath(path),
      message: plainMessage(issue),
      hint: params?.hint ?? hintFor(issue),
    })
  }
  return sortProblems(problems)
}

export function sortProblems(problems: SpecProblem[]): SpecProblem[] {
  return problems.sort((a, b) => a.file.localeCompare(b.file) || (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0))
}

function plainMessage(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'invalid_type': {
      const received = (issue as { input?: unknown }).input
      if (received === undefined) return `required field is missing (expected ${issue.expected})`
      return `expected ${issue.expected}, got ${describe(received)}`
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

function hintFor(issue: z.core.$ZodIssue): string | undefined {
  if (issue.code === 'invalid_type' && (issue as { input?: unknown }).input === undefined) return 'add this field'
  if (issue.code === 'invalid_value') {
    const got = (issue as { input?: unknown }).input
    if (typeof got === 'string') return didYouMean(got, issue.values.map(String))
  }
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
    const def = (s as { def?: Record<string, unknown> }).def
    if (!def) return undefined
    const type = def.type as string
    if (type === 'optional' || type === 'default' || type === 'nullable' || type === 'prefault' || type === 'readonly') {
      s = def.innerType
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
