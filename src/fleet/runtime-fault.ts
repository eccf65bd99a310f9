import { didYouMean, errors } from '../core/index.js'
import { formatPath, type FaultEntrySchemas } from '../spec/index.js'
import type { FaultEntry } from '../faults/index.js'

/**
 * Validates a fault given at run time with the same schema as fleet-file faults. Accepts
 * `durationMs`/`atMs` (numbers) as spelled in code, next to the file spelling `duration`/`at`.
 */
export function validateRuntimeFault(input: Record<string, unknown>, schemas: FaultEntrySchemas): FaultEntry {
  const { durationMs, atMs, ...rest } = input
  const raw: Record<string, unknown> = { ...rest }
  if (durationMs !== undefined && raw.duration === undefined) raw.duration = durationMs
  if (atMs !== undefined && raw.at === undefined) raw.at = atMs
  const kind = raw.kind
  const schema = typeof kind === 'string' ? schemas[kind] : undefined
  if (!schema) {
    const known = Object.keys(schemas)
    throw errors.faultInvalid([
      {
        file: 'fleet.inject()',
        path: 'kind',
        message: typeof kind === 'string' ? `unknown fault kind "${kind}"` : 'field "kind" is required',
        hint: (typeof kind === 'string' ? didYouMean(kind, known) : undefined) ?? `known kinds: ${known.join(', ')}`,
      },
    ])
  }
  const r = schema.safeParse(raw)
  if (!r.success) {
    throw errors.faultInvalid(
      r.error.issues.map((i) => ({
        file: 'fleet.inject()',
        path: formatPath(i.path),
        message: i.message,
        hint: (i as { params?: { hint?: string } }).params?.hint,
      })),
    )
  }
  return r.data
}
