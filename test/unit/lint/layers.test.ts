import { fileURLToPath } from 'node:url'
import { ESLint, type Linter } from 'eslint'
import { beforeAll, describe, expect, it } from 'vitest'

// Lints in-memory snippets as if they lived at the given path, with the project's own config, to
// prove that the layer table (DESIGN.md) and the time/randomness rules are enforced by `npm run lint`.
const root = fileURLToPath(new URL('../../../', import.meta.url))
let eslint: ESLint

beforeAll(() => {
  eslint = new ESLint({ cwd: root, overrideConfigFile: `${root}eslint.config.js` })
})

async function lint(filePath: string, code: string): Promise<Linter.LintMessage[]> {
  const [result] = await eslint.lintText(code, { filePath })
  return result!.messages
}

const ruleIds = (messages: Linter.LintMessage[]) => messages.map((m) => m.ruleId)

describe('layer rule (boundaries/dependencies)', () => {
  it('rejects a core file importing from fleet', async () => {
    const messages = await lint('src/core/bad.ts', "import { Fleet } from '../fleet/fleet.js'\nexport const x = Fleet\n")
    expect(ruleIds(messages)).toEqual(['boundaries/dependencies'])
    expect(messages[0]!.message).toContain('core may not import "../fleet/fleet.js" (fleet)')
  })

  it('rejects a device file importing broker, also as a type-only import or a re-export', async () => {
    const code = [
      "import { startBroker } from '../broker/embedded-broker.js'",
      "import type { BrokerStats } from '../broker/index.js'",
      "export { restart } from '../broker/restart.js'",
      'export const x: BrokerStats | undefined = startBroker as never',
      '',
    ].join('\n')
    const messages = await lint('src/device/bad.ts', code)
    expect(ruleIds(messages)).toEqual(['boundaries/dependencies', 'boundaries/dependencies', 'boundaries/dependencies'])
    expect(messages.map((m) => m.line)).toEqual([1, 2, 3])
  })

  it('rejects a dynamic import that goes upward', async () => {
    const messages = await lint('src/telemetry/bad.ts', "export const load = () => import('../device/virtual-device.js')\n")
    expect(ruleIds(messages)).toEqual(['boundaries/dependencies'])
  })

  it('accepts a fleet file importing device, faults, broker, core and the firmware models', async () => {
    const code = [
      "import { VirtualDevice } from '../device/virtual-device.js'",
      "import { FaultInjector } from '../faults/injector.js'",
      "import { EmbeddedBroker } from '../broker/embedded-broker.js'",
      "import { VirtualClock } from '../core/clock.js'",
      "import { builtinFirmwareModels } from '../../firmware-models/index.js'",
      "import { other } from './other.js'",
      'export const parts = [VirtualDevice, FaultInjector, EmbeddedBroker, VirtualClock, builtinFirmwareModels, other]',
      '',
    ].join('\n')
    expect(await lint('src/fleet/ok.ts', code)).toEqual([])
  })

  it('lets cli use fleet but not a device directly', async () => {
    const ok = await lint('src/cli/ok.ts', "import { Fleet } from '../fleet/fleet.js'\nexport const x = Fleet\n")
    expect(ok).toEqual([])
    const bad = await lint('src/cli/bad.ts', "import { VirtualDevice } from '../device/virtual-device.js'\nexport const x = VirtualDevice\n")
    expect(ruleIds(bad)).toEqual(['boundaries/dependencies'])
  })

  it('rejects imports of files that belong to no layer, and of tests from src', async () => {
    const messages = await lint(
      'src/spec/bad.ts',
      "import { a } from '../utils/helpers.js'\nimport { b } from '../../test/fixtures/x.js'\nexport const x = [a, b]\n",
    )
    expect(ruleIds(messages)).toEqual(['boundaries/dependencies', 'boundaries/dependencies'])
  })

  it('lets firmware models import only xstate and the device kit', async () => {
    const ok = await lint(
      'firmware-models/ok.machine.ts',
      "import { setup } from 'xstate'\nimport type { FirmwareInput } from '../src/device/kit.js'\nexport const m = setup({}) as unknown as FirmwareInput\n",
    )
    expect(ok).toEqual([])
    const bad = await lint(
      'firmware-models/bad.machine.ts',
      "import { VirtualDevice } from '../src/device/virtual-device.js'\nimport { readFileSync } from 'node:fs'\nexport const m = [VirtualDevice, readFileSync]\n",
    )
    expect(ruleIds(bad).sort()).toEqual(['boundaries/dependencies', 'no-restricted-imports'])
  })

  it('lets tests import anything', async () => {
    const code = "import { Fleet } from '../../src/fleet/fleet.js'\nimport { x } from '../../src/device/virtual-device.js'\nexport const y = [Fleet, x, Math.random()]\n"
    expect(await lint('test/unit/anything.test.ts', code)).toEqual([])
  })

  it('flags a file under src/ that is in no layer', async () => {
    expect(ruleIds(await lint('src/utils/helpers.ts', 'export const a = 1\n'))).toEqual(['boundaries/no-unknown-files'])
  })
})

describe('time and randomness rules', () => {
  it('rejects Math.random() in src', async () => {
    const messages = await lint('src/telemetry/noise.ts', 'export const noise = () => Math.random()\n')
    expect(ruleIds(messages)).toEqual(['no-restricted-properties'])
  })

  it('rejects wall time and host timers in src and firmware-models', async () => {
    const code = [
      'export const t = [Date.now(), performance.now(), new Date()]',
      'setTimeout(() => {}, 10)',
      'setInterval(() => {}, 10)',
      'globalThis.setTimeout(() => {}, 10)',
      '',
    ].join('\n')
    for (const file of ['src/device/timers.ts', 'firmware-models/timers.machine.ts']) {
      const ids = ruleIds(await lint(file, code))
      expect(ids.filter((id) => id === 'no-restricted-properties')).toHaveLength(3)
      expect(ids.filter((id) => id === 'no-restricted-globals')).toHaveLength(2)
      expect(ids).toContain('no-restricted-syntax')
    }
  })

  it('rejects importing host timers from node:timers', async () => {
    const messages = await lint('src/transport/t.ts', "import { setTimeout as sleep } from 'node:timers/promises'\nexport const s = sleep\n")
    expect(ruleIds(messages)).toEqual(['no-restricted-imports'])
  })

  it('allows the injected clock, and wall time inside src/core/clock.ts', async () => {
    const code = "import type { Clock } from '../core/clock.js'\nexport const arm = (clock: Clock) => clock.setTimeout(() => clock.now(), 1000)\n"
    expect(await lint('src/device/ok.ts', code)).toEqual([])
    expect(await lint('src/core/clock.ts', 'export const t = () => [Date.now(), performance.now(), setTimeout(() => {}, 1)]\n')).toEqual([])
  })
})
