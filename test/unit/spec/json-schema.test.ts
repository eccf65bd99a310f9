import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { faultEntrySchemas } from '../../../src/faults/index.js'
import { jsonSchemas } from '../../../src/spec/index.js'

describe('JSON Schemas for editors', () => {
  const generated = jsonSchemas(faultEntrySchemas)

  it.each(Object.keys(generated))('schemas/%s is current (run `npm run schemas` after changing a zod schema)', (file) => {
    expect(JSON.parse(readFileSync(`schemas/${file}`, 'utf8'))).toEqual(JSON.parse(JSON.stringify(generated[file])))
  })

  it('describes every fault kind and rejects unknown keys', () => {
    const fleet = generated['fleet.schema.json'] as { additionalProperties: boolean; properties: { faults: { items: { anyOf: { properties: { kind: { const: string } } }[] } } } }
    expect(fleet.additionalProperties).toBe(false)
    expect(fleet.properties.faults.items.anyOf.map((k) => k.properties.kind.const).sort()).toEqual(Object.keys(faultEntrySchemas).sort())
  })
})
