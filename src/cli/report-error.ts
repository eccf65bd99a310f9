import { isFleetError, messageOf } from '../core/index.js'
import { EXIT, exitCodeFor } from './exit-codes.js'

/** Prints an error for people (no stack trace unless FLEET_EMU_DEBUG=1) and returns the exit code. */
export function reportError(e: unknown, stderr: NodeJS.WritableStream = process.stderr): number {
  if (isFleetError(e)) {
    stderr.write(`fleet-emu: ${e.message}\n`)
    if (e.problems.length === 0) stderr.write(`  hint: ${e.hint}\n`)
    stderr.write(`  (${e.code})\n`)
    if (process.env.FLEET_EMU_DEBUG === '1' && e.cause) stderr.write(`${String((e.cause as Error).stack ?? e.cause)}\n`)
    return exitCodeFor(e.code)
  }
  stderr.write(`fleet-emu: internal error: ${messageOf(e)}\n  hint: this is a bug; please report it with the command and fleet file (FLEET_ERR_INTERNAL)\n`)
  if (process.env.FLEET_EMU_DEBUG === '1') stderr.write(`${(e as Error).stack ?? ''}\n`)
  return EXIT.runtimeFailure
}
