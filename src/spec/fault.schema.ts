import { z } from 'zod'
import { didYouMean } from '../core/index.js'
import { durationMs, fraction, labels, positiveDurationMs } from './common.js'
import { knownKeysAt } from './problems.js'

/**
 * Which devices a fault hits. Filters (group, ids, labels) narrow the fleet; then `count` or
 * `fraction` picks a seeded subset of what is left. No filter and no count/fraction = every device.
 */
export const targetSchema = z
  .strictObject({
    group: z.union([z.string(), z.array(z.string()).min(1)]).transform((g) => (Array.isArray(g) ? g : [g])).optional(),
    /** Device ids or globs (`th-00*`). */
    ids: z.array(z.string()).min(1).optional(),
    /** Profile labels that must all match (e.g. `{ hw: th-200 }`). */
    labels: labels.optional(),
    profile: z.string().optional(),
    fraction: fraction.optional(),
    count: z.number().int().positive().optional(),
  })
  .refine((t) => t.fraction === undefined || t.count === undefined, {
    message: 'give either fraction or count, not both',
    params: { hint: 'fraction: 0.1 picks 10% of the matching devices; count: 5 picks five' },
  })

export type TargetSpec = z.output<typeof targetSchema>

/** Fields every fault has; each kind adds its own parameters next to them. */
export const faultEnvelopeShape = {
  /** Optional stable id; defaults to `<kind>-at-<at>`. */
  id: z.string().regex(/^[\w.-]+$/).optional(),
  at: durationMs.default(0),
  target: targetSchema.default({}),
  /** Repeat the fault every this long (each occurrence gets id `<id>#<n>`); until the run ends unless `times`/`until`. */
  every: positiveDurationMs.optional(),
  times: z.number().int().positive().optional(),
  /** With `every`: no occurrence starts after this (ms since run start). */
  until: durationMs.optional(),
  /** Chance that each targeted device is affected by each occurrence (seeded per device). */
  probability: z.number().min(0).max(1).optional(),
  /**
   * Instead of one start (`at`) or a period (`every`): occurrences drawn at this mean rate on each
   * targeted device, a seeded Poisson process per device from `at` to `until` (or the run end).
   */
  perDevicePerDay: z.number().positive().optional(),
}

export type FaultEnvelope = {
  id?: string
  kind: string
  at: number
  duration?: number
  target: TargetSpec
  every?: number
  times?: number
  until?: number
  probability?: number
  /** Occurrences per targeted device per day, as a seeded Poisson process (instead of `every`). */
  perDevicePerDay?: number
  /** Gradual onset for kinds that support it: intensity grows from 0 to 1 over this long. */
  ramp?: number
}

/** The schema of one fault kind as registered by src/faults/kinds/*: kind name → full entry schema. */
export type FaultEntrySchemas = Readonly<Record<string, z.ZodType<FaultEnvelope & Record<string, unknown>>>>

/**
 * A list of faults, each validated by the schema of its own kind; an unknown kind is reported with
 * the nearest known one.
 */
export function faultListSchema(kinds: FaultEntrySchemas) {
  return z.array(z.unknown()).transform((items, ctx) => {
    const out: (FaultEnvelope & Record<string, unknown>)[] = []
    items.forEach((item, i) => {
      if (typeof item !== 'object' || item === null || Array.isArray(item)) {
        ctx.addIssue({ code: 'custom', path: [i], message: 'a fault must be a mapping with a kind', params: { hint: 'e.g. { kind: disconnect, at: 20s, duration: 10s }' } })
        return
      }
      const kind = (item as { kind?: unknown }).kind
      if (typeof kind !== 'string') {
        ctx.addIssue({ code: 'custom', path: [i, 'kind'], message: 'required field "kind" is missing', params: { hint: `one of: ${Object.keys(kinds).join(', ')}` } })
        return
      }
      const schema = kinds[kind]
      if (!schema) {
        ctx.addIssue({
          code: 'custom',
          path: [i, 'kind'],
          message: `unknown fault kind "${kind}"`,
          params: { hint: didYouMean(kind, Object.keys(kinds)) ?? `known kinds: ${Object.keys(kinds).join(', ')}` },
        })
        return
      }
      const r = schema.safeParse(item)
      if (r.success) {
        const e = r.data
        if (e.every !== undefined && e.duration !== undefined && e.duration >= e.every) {
          ctx.addIssue({ code: 'custom', path: [i, 'every'], message: `occurrences would overlap: duration ${e.duration} ms ≥ every ${e.every} ms`, params: { hint: 'make every longer than duration' } })
        }
        if (e.perDevicePerDay !== undefined) {
          for (const key of ['every', 'times', 'probability'] as const) {
            if (e[key] !== undefined) {
              ctx.addIssue({
                code: 'custom',
                path: [i, key],
                message: `cannot be combined with perDevicePerDay`,
                params: { hint: key === 'probability' ? 'scale perDevicePerDay instead (a thinned Poisson process is one with a lower rate)' : 'perDevicePerDay draws its own occurrence times; use one schedule or the other' },
              })
            }
          }
        } else if (e.every === undefined && (e.times !== undefined || e.until !== undefined)) {
          ctx.addIssue({ code: 'custom', path: [i, e.times !== undefined ? 'times' : 'until'], message: 'only meaningful with every', params: { hint: 'add every: <period>, or remove this field' } })
        }
        if (e.until !== undefined && e.until < e.at) ctx.addIssue({ code: 'custom', path: [i, 'until'], message: 'is before at', params: { hint: 'until is measured from the run start, like at' } })
        out.push(e)
        return
      }
      for (const issue of r.error.issues) {
        // The fleet schema cannot see into this kind's schema, so say here which keys it allows.
        const params = issue.code === 'unrecognized_keys' ? { knownKeys: knownKeysAt(schema, issue.path, item) } : undefined
        ctx.addIssue({ ...(issue as z.core.$ZodIssue), path: [i, ...issue.path], ...(params && { params }) } as never)
      }
    })
    return out
  })
}
