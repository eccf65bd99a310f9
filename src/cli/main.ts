#!/usr/bin/env node
import { Command, CommanderError } from 'commander'
import { registerDataset } from './commands/dataset.js'
import { registerPlan } from './commands/plan.js'
import { registerReport } from './commands/report.js'
import { registerRun } from './commands/run.js'
import { registerValidate } from './commands/validate.js'
import { EXIT } from './exit-codes.js'
import { reportError } from './report-error.js'

/** `fleet-emu` — see docs/cli.md. Exit codes: 0 ok, 1 runtime failure, 2 invalid input, 3 thresholds failed, 130 interrupted. */
export async function main(argv: string[]): Promise<number> {
  let exitCode: number = EXIT.ok
  const setExit = (code: number) => (exitCode = code)
  const program = new Command('fleet-emu')
    .description('IoT device fleet emulator: XState devices speaking real MQTT, seeded faults, ground truth')
    .version('0.1.0')
    .exitOverride()
    .showHelpAfterError('(run fleet-emu --help for usage)')
  registerRun(program, setExit)
  registerValidate(program, setExit)
  registerPlan(program, setExit)
  registerDataset(program, setExit)
  registerReport(program, setExit)
  try {
    await program.parseAsync(argv)
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return EXIT.ok
      return EXIT.invalidInput
    }
    return reportError(e)
  }
  return exitCode
}

const code = await main(process.argv)
// Let stdout drain, then exit: open handles of a stopped fleet must not keep the CLI alive.
process.stdout.write('', () => process.exit(code))
