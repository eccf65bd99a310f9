// Prints the fault catalogue table of docs/faults.md from the registry: `npx tsx scripts/fault-catalogue.ts`.
import { faultKinds } from '../src/faults/index.js'

const order = ['network', 'broker', 'telemetry', 'device', 'fleet']
const anchor = (kind: string) => kind.replace(/\./g, '')
const rows = Object.values(faultKinds)
  .sort((a, b) => order.indexOf(a.group) - order.indexOf(b.group))
  .map((k) => {
    const { duration: _d, ...withoutDuration } = k.example
    const needsDuration = !k.entrySchema.safeParse(withoutDuration).success
    const shape = (k.entrySchema as unknown as { def: { shape: Record<string, unknown> } }).def.shape
    const broker = k.needsEmbeddedBroker ? ' (embedded broker)' : ''
    return `| [\`${k.kind}\`](#${anchor(k.kind)}) | ${k.group} | ${k.summary}${broker} | ${needsDuration ? 'required' : 'optional'} | ${'ramp' in shape ? 'yes' : ''} |`
  })
console.log(['| kind | group | what happens | `duration` | `ramp` |', '|---|---|---|---|---|', ...rows].join('\n'))
