import { z } from 'zod'
import { parseDuration } from '../core/index.js'

/** A duration as written in files ("30s", "2h", or ms as a number), normalised to ms at the edge. */
export const durationMs = z.union([z.string(), z.number()]).transform((v, ctx) => {
  try {
    return parseDuration(v)
  } catch {
    ctx.addIssue({
      code: 'custom',
      message: `not a duration: ${JSON.stringify(v)}`,
      params: { hint: 'write a number with a unit: 250ms, 30s, 5m, 2h, 7d' },
    })
    return z.NEVER
  }
})

export const positiveDurationMs = durationMs.refine((ms) => ms > 0, { message: 'must be longer than 0', params: { hint: 'e.g. 10s' } })

export const fraction = z.number().min(0).max(1)

export const name = z
  .string()
  .refine((s) => /^[a-z0-9][a-z0-9._-]*$/i.test(s), { message: 'use letters, digits, ".", "_" and "-" only', params: { hint: 'e.g. env-sensor' } })

export const labels = z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]).transform(String))
