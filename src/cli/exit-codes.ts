import type { ErrorCode } from '../core/index.js'

/** Named exit codes (docs/cli.md, docs/errors.md). Never renumbered. */
export const EXIT = {
  ok: 0,
  /** Runtime failure: broker unreachable or could not listen, output not writable, internal error. */
  runtimeFailure: 1,
  /** Invalid input: a fleet file, device profile or flag is wrong. */
  invalidInput: 2,
  /** Thresholds (SLO assertions) failed — soak runs. */
  thresholdsFailed: 3,
  /** Interrupted by SIGINT/SIGTERM; outputs flushed and marked partial. */
  interrupted: 130,
} as const

export function exitCodeFor(code: ErrorCode): number {
  return code.startsWith('FLEET_ERR_SPEC_') || code === 'FLEET_ERR_CORE_BAD_DURATION' || code === 'FLEET_ERR_CORE_BAD_ARGUMENT' || code === 'FLEET_ERR_FAULT_INVALID' || code === 'FLEET_ERR_OUTPUT_EXISTS'
    ? EXIT.invalidInput
    : EXIT.runtimeFailure
}
