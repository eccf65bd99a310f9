// Prints the SLI table of docs/fleet-file.md#thresholds from the catalogue: `npx tsx scripts/sli-table.ts`.
import { SLI_CATALOGUE, SLI_NAMES, type SliInfo } from '../src/spec/index.js'

const rows = SLI_NAMES.map((name) => {
  const info: SliInfo = SLI_CATALOGUE[name]
  return `| \`${name}\` | ${info.unit} | ${info.help} | ${info.vacuous ? 'passes (nothing to breach)' : 'fails'} |`
})
console.log(['| SLI | unit | meaning | with no data |', '|---|---|---|---|', ...rows].join('\n'))
