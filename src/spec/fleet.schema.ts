import { z } from 'zod'
import { ID_PATTERN_TOKEN } from '../core/index.js'
import { labels, name, positiveDurationMs } from './common.js'
import { faultListSchema, type FaultEntrySchemas } from './fault.schema.js'
import { thresholdsSchema } from './thresholds.js'

export const groupSchema = z.strictObject({
  name,
  /** A profile name (looked up as devices/<name>.device.yaml) or a path to a .device.yaml file. */
  profile: z.string().min(1),
  count: z.number().int().nonnegative(),
  /** Device id pattern: {n:04} = 1-based zero-padded index, {index} = 0-based, {group} = group name. */
  idPattern: z.string().refine((p) => ID_PATTERN_TOKEN.test(p), { message: 'must contain {n} or {index} so ids are unique', params: { hint: 'e.g. "th-{n:04}"' } }).optional(),
  labels: labels.default({}),
})

export const brokerSchema = z
  .strictObject({
    /** External broker (mqtt://, mqtts://, ws://); when absent an embedded aedes broker is started. */
    url: z.string().regex(/^(mqtts?|wss?|tcp|ssl):\/\/.+/, { message: 'must be an mqtt://, mqtts://, ws:// or wss:// URL' }).optional(),
    host: z.string().default('127.0.0.1'),
    port: z.number().int().min(0).max(65535).default(1883),
    username: z.string().optional(),
    password: z.string().optional(),
  })
  .default({ host: '127.0.0.1', port: 1883 })

export const metricsSchema = z
  .union([z.literal(false), z.strictObject({ host: z.string().default('127.0.0.1'), port: z.number().int().min(0).max(65535).default(9464) })])
  .default({ host: '127.0.0.1', port: 9464 })

/** Builds the fleet-file schema; fault kinds are supplied by the fault registry (src/faults). */
export function fleetFileSchema(faultKinds: FaultEntrySchemas) {
  return z
    .strictObject({
      name,
      description: z.string().optional(),
      seed: z.number().int().default(1),
      duration: positiveDurationMs,
      /** Simulation start for virtual-time runs, ISO 8601 (live runs use the wall clock). */
      start: z.iso.datetime({ offset: true }).optional(),
      ramp: z.strictObject({ rate: z.number().positive() }).default({ rate: 500 }),
      broker: brokerSchema,
      metrics: metricsSchema,
      groups: z.array(groupSchema).min(1),
      faults: faultListSchema(faultKinds).default([]),
      /** Pass/fail criteria on the run's SLIs (docs/fleet-file.md#thresholds); parsed, in file order. */
      thresholds: thresholdsSchema.prefault({}),
    })
    .superRefine(
      (f, ctx) => {
        // Runs even when other fields have problems (see `when`), so groups may be unparsed.
        const groups: unknown = f.groups
        if (!Array.isArray(groups)) return
        const seen = new Map<string, number>()
        groups.forEach((g: { name?: unknown } | null | undefined, i) => {
          if (typeof g?.name !== 'string') return
          if (seen.has(g.name)) ctx.addIssue({ code: 'custom', path: ['groups', i, 'name'], message: `group name "${g.name}" is used twice`, params: { hint: `groups[${seen.get(g.name)}] has it already` } })
          seen.set(g.name, i)
        })
      },
      // Cross-field checks run alongside field problems: validation reports every problem at once.
      { when: (payload) => typeof payload.value === 'object' && payload.value !== null },
    )
}

export type FleetFile = z.output<ReturnType<typeof fleetFileSchema>>
export type GroupSpec = z.output<typeof groupSchema>
