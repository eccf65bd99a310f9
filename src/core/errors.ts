import { ERROR_CODES, type ErrorCode } from './error-codes.js'

export { ERROR_CODES, type ErrorCode }

/** One problem found while validating a user file: where it is, which field, what is wrong, how to fix. */
export interface SpecProblem {
  file: string
  line?: number
  column?: number
  /** Field path such as `faults[2].kind`; empty for the whole document. */
  path: string
  message: string
  hint?: string
}

/**
 * The single error type fleet-emu throws. Every error has a stable `code` from {@link ERROR_CODES},
 * a message that says what and where, a hint that says how to fix it, and the original `cause`.
 *
 * @example
 * try { await loadFleet('fleets/x.fleet.yaml') }
 * catch (e) { if (isFleetError(e)) console.error(e.code, e.message, e.hint) }
 */
export class FleetError extends Error {
  override readonly name = 'FleetError'
  readonly code: ErrorCode
  readonly hint: string
  /** For spec errors: every problem found, not just the first. */
  readonly problems: readonly SpecProblem[]

  constructor(code: ErrorCode, message: string, opts: { hint?: string; cause?: unknown; problems?: SpecProblem[] } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause })
    this.code = code
    this.hint = opts.hint ?? ERROR_CODES[code].hint
    this.problems = Object.freeze([...(opts.problems ?? [])])
  }
}

export function isFleetError(e: unknown): e is FleetError {
  return e instanceof FleetError
}

/** Formats one problem the way editors and terminals link it: `file:line:col path: message — hint`. */
export function formatProblem(p: SpecProblem): string {
  const where = p.line === undefined ? p.file : `${p.file}:${p.line}:${p.column ?? 1}`
  const field = p.path === '' ? '' : ` ${p.path}:`
  const hint = p.hint ? ` — ${p.hint}` : ''
  return `${where}${field} ${p.message}${hint}`
}

/** Factories, so call sites read as sentences and codes stay in one place. */
export const errors = {
  specInvalid: (file: string, problems: SpecProblem[]) =>
    new FleetError(
      'FLEET_ERR_SPEC_INVALID',
      `${file}: ${problems.length} problem${problems.length === 1 ? '' : 's'}\n${problems.map((p) => '  ' + formatProblem(p)).join('\n')}`,
      { problems },
    ),
  yamlSyntax: (file: string, problems: SpecProblem[], cause?: unknown) =>
    new FleetError('FLEET_ERR_SPEC_YAML_SYNTAX', problems.map(formatProblem).join('\n'), { problems, cause }),
  fileNotFound: (what: string, file: string, hint?: string, cause?: unknown) =>
    new FleetError('FLEET_ERR_SPEC_FILE_NOT_FOUND', `${what} not found: ${file}`, { hint, cause }),
  notAReport: (file: string, reason: string, hint?: string, cause?: unknown) =>
    new FleetError('FLEET_ERR_SPEC_NOT_A_REPORT', `${file} is not a fleet-emu run report: ${reason}`, { hint, cause }),
  badDuration: (text: string) => new FleetError('FLEET_ERR_CORE_BAD_DURATION', `not a duration: ${JSON.stringify(text)}`),
  badArgument: (message: string, hint?: string) => new FleetError('FLEET_ERR_CORE_BAD_ARGUMENT', message, { hint }),
  brokerListen: (host: string, port: number, cause: unknown) =>
    new FleetError('FLEET_ERR_BROKER_LISTEN', `embedded broker cannot listen on ${host}:${port}: ${messageOf(cause)}`, { cause }),
  brokerUnreachable: (url: string, cause?: unknown) =>
    new FleetError('FLEET_ERR_BROKER_UNREACHABLE', `broker ${url} is not reachable${cause ? `: ${messageOf(cause)}` : ''}`, { cause }),
  metricsListen: (host: string, port: number, cause: unknown) =>
    new FleetError('FLEET_ERR_METRICS_LISTEN', `metrics endpoint cannot listen on ${host}:${port}: ${messageOf(cause)}`, { cause }),
  fleetState: (message: string) => new FleetError('FLEET_ERR_FLEET_STATE', message),
  waitTimeout: (timeoutMs: number, detail: string) =>
    new FleetError('FLEET_ERR_FLEET_WAIT_TIMEOUT', `condition not met within ${timeoutMs} ms (${detail})`),
  faultInvalid: (problems: SpecProblem[]) =>
    new FleetError('FLEET_ERR_FAULT_INVALID', `invalid fault:\n${problems.map((p) => '  ' + formatProblem(p)).join('\n')}`, { problems }),
  faultNoTargets: (faultId: string) => new FleetError('FLEET_ERR_FAULT_NO_TARGETS', `fault ${faultId} selects no device`),
  outputWrite: (file: string, cause: unknown) =>
    new FleetError('FLEET_ERR_OUTPUT_WRITE', `cannot write ${file}: ${messageOf(cause)}`, { cause }),
  outputExists: (dir: string) => new FleetError('FLEET_ERR_OUTPUT_EXISTS', `output folder ${dir} is not empty`),
  internal: (message: string, cause?: unknown) => new FleetError('FLEET_ERR_INTERNAL', message, { cause }),
}

export function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e)
}
