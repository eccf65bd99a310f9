// Rewrites schemas/*.json from the zod schemas: `npm run schemas`.
import { writeFileSync } from 'node:fs'
import { faultEntrySchemas } from '../src/faults/index.js'
import { jsonSchemas } from '../src/spec/index.js'

for (const [file, schema] of Object.entries(jsonSchemas(faultEntrySchemas))) {
  writeFileSync(`schemas/${file}`, JSON.stringify(schema, null, 2) + '\n')
  console.log(`wrote schemas/${file}`)
}
