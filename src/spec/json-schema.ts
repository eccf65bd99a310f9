import { z } from 'zod'
import { deviceProfileSchema } from './device-profile.schema.js'
import { fleetFileSchema } from './fleet.schema.js'
import type { FaultEntrySchemas } from './fault.schema.js'

/**
 * JSON Schemas for editors (YAML language server: `# yaml-language-server: $schema=…`), generated from
 * the zod schemas so they cannot drift; `npm run schemas` rewrites schemas/, and a test checks that
 * the committed files are current. Input shapes: durations may be "30s" or a number of ms.
 */
export function jsonSchemas(faultKinds: FaultEntrySchemas): Record<string, unknown> {
  const opts = { io: 'input', unrepresentable: 'any', target: 'draft-2020-12' } as const
  const faultEntry = z.union(Object.values(faultKinds) as unknown as [z.ZodType, z.ZodType, ...z.ZodType[]])
  const fleet = z.toJSONSchema(fleetFileSchema(faultKinds), opts) as { properties: Record<string, unknown> }
  const { $schema: _nested, ...items } = z.toJSONSchema(faultEntry, opts) as Record<string, unknown>
  fleet.properties.faults = { type: 'array', items }
  return {
    'fleet.schema.json': { title: 'fleet-emu fleet file', ...fleet },
    'device-profile.schema.json': { title: 'fleet-emu device profile', ...(z.toJSONSchema(deviceProfileSchema, opts) as object) },
  }
}
