import { didYouMean, errors } from '../core/index.js'
import { issuesToProblems, type FaultEntrySchemas } from '../spec/index.js'
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
    // Same messages and hints as fleet-file faults; there is no line to point at.
    const source = { file: 'fleet.inject()', data: raw, position: () => ({ line: 0, column: 0 }) }
    throw errors.faultInvalid(issuesToProblems(source, r.error.issues, schema).map(({ line: _l, column: _c, ...p }) => p))
  }
  if (r.data.perDevicePerDay !== undefined) {
    throw errors.faultInvalid([
      { file: 'fleet.inject()', path: 'perDevicePerDay', message: 'a rate schedule is planned over the whole run, so it belongs in the fleet file', hint: 'inject one occurrence now (no perDevicePerDay), or add the fault to the fleet file' },
    ])
  }
  return r.data
}
