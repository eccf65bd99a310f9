import { z } from 'zod'
import { durationMs, faultEnvelopeShape, positiveDurationMs } from '../../spec/index.js'

/** The entry schema for a kind: common envelope + `kind` literal + the kind's own fields. */
export function entrySchema<K extends string, S extends z.ZodRawShape>(kind: K, shape: S, opts: { durationRequired: boolean }) {
  return z.strictObject({
    ...faultEnvelopeShape,
    kind: z.literal(kind),
    duration: opts.durationRequired ? positiveDurationMs : durationMs.optional(),
    ...shape,
  })
}

/** Like {@link entrySchema}, plus `ramp`: a gradual onset (intensity 0 → 1 over the ramp). */
export function rampedEntrySchema<K extends string, S extends z.ZodRawShape>(kind: K, shape: S, opts: { durationRequired: boolean }) {
  return z.strictObject({
    ...faultEnvelopeShape,
    kind: z.literal(kind),
    duration: opts.durationRequired ? positiveDurationMs : durationMs.optional(),
    ramp: durationMs.optional(),
    ...shape,
  })
}

/** `sensors: [temperature, humidity]`: which sensors a telemetry fault touches (default: all). */
export const sensorList = z.array(z.string().min(1)).min(1).optional()

/**
 * `counters: reset`: the crash loses the firmware's RAM counters, so `seq` restarts at 1 after the
 * reboot; `keep` (default): counters survive, as in flash.
 */
export const countersParam = z.enum(['keep', 'reset']).default('keep')
