import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { SLI_CATALOGUE, SLI_NAMES, type SliInfo } from '../../../src/spec/index.js'

describe('docs/fleet-file.md#thresholds', () => {
  const doc = readFileSync('docs/fleet-file.md', 'utf8')
  const section = doc.slice(doc.indexOf('\n## Thresholds\n'), doc.indexOf('\n## ', doc.indexOf('\n## Thresholds\n') + 1))
  // | `name` | unit | meaning | with no data |
  const rows = [...section.matchAll(/^\| `(\w+)` \| (\w+) \| .+ \| (.+) \|$/gm)].map((m) => ({ name: m[1]!, unit: m[2]!, noData: m[3]! }))

  it('has a Thresholds section', () => {
    expect(section).toMatch(/^\n## Thresholds\n/)
  })

  it('lists exactly the catalogue’s SLIs, in its order (regenerate with `npx tsx scripts/sli-table.ts`)', () => {
    expect(rows.map((r) => r.name)).toEqual(SLI_NAMES)
  })

  it('gives each SLI its unit and what no data does', () => {
    for (const r of rows) {
      const info: SliInfo = SLI_CATALOGUE[r.name as keyof typeof SLI_CATALOGUE]
      expect(r.unit, r.name).toBe(info.unit)
      expect(r.noData, r.name).toBe(info.vacuous ? 'passes (nothing to breach)' : 'fails')
    }
  })
})
