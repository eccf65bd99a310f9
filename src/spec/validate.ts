import type { z } from 'zod'
import { errors, type SpecProblem } from '../core/index.js'
import { issuesToProblems } from './problems.js'
import type { YamlSource } from './yaml-source.js'

/** Validates a parsed file against its schema; returns the value or every problem found. */
export function check<S extends z.ZodType>(source: YamlSource, schema: S): { ok: true; value: z.output<S> } | { ok: false; problems: SpecProblem[] } {
  const r = schema.safeParse(source.data)
  if (r.success) return { ok: true, value: r.data }
  return { ok: false, problems: issuesToProblems(source, r.error.issues, schema) }
}

/** Like {@link check} but throws a FleetError listing every problem. */
export function validateOrThrow<S extends z.ZodType>(source: YamlSource, schema: S): z.output<S> {
  const r = check(source, schema)
  if (!r.ok) throw errors.specInvalid(source.file, r.problems)
  return r.value
}

/** Deep-freezes a parsed spec: nothing deeper re-validates or mutates it. */
export function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value)
    for (const v of Object.values(value)) deepFreeze(v)
  }
  return value
}
