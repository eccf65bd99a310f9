/**
 * The one table of fleet-emu error codes. Codes are never renumbered or reused once retired;
 * `docs/errors.md` lists the same codes (a test keeps the two in sync).
 */
export const ERROR_CODES = {
  FLEET_ERR_SPEC_YAML_SYNTAX: {
    meaning: 'A YAML file could not be parsed.',
    hint: 'Fix the YAML syntax at the reported line (indentation, an unclosed quote or bracket).',
  },
  FLEET_ERR_SPEC_INVALID: {
    meaning: 'A device profile or fleet file does not match its schema.',
    hint: 'Each problem is listed as file:line:column field.path: message; see docs/fleet-file.md and docs/device-profile.md.',
  },
  FLEET_ERR_SPEC_FILE_NOT_FOUND: {
    meaning: 'A fleet file, device profile or firmware model named by the user does not exist.',
    hint: 'Check the path; profiles are looked up as devices/<name>.device.yaml next to the fleet folder.',
  },
  FLEET_ERR_SPEC_NOT_A_REPORT: {
    meaning: 'A file given to fleet-emu report is not a run report (not JSON, an unknown reportVersion, or fields missing).',
    hint: 'Pass the report.json a soak run wrote into its run folder (runs/<fleet>-<UTC time>/report.json).',
  },
  FLEET_ERR_CORE_BAD_DURATION: {
    meaning: 'A duration string could not be parsed.',
    hint: 'Write a number with a unit: 250ms, 30s, 5m, 2h, 7d (or a plain number of milliseconds).',
  },
  FLEET_ERR_CORE_BAD_ARGUMENT: {
    meaning: 'An API or CLI argument is out of range or of the wrong kind.',
    hint: 'See docs/cli.md or the TSDoc of the function you called.',
  },
  FLEET_ERR_BROKER_LISTEN: {
    meaning: 'The embedded broker could not listen on the requested host and port.',
    hint: 'Is another broker already on that port? Choose another with --broker-port (0 picks a free one).',
  },
  FLEET_ERR_BROKER_UNREACHABLE: {
    meaning: 'The external broker refused or did not answer the first connections.',
    hint: 'Check broker.url in the fleet file and that the broker is running and reachable.',
  },
  FLEET_ERR_METRICS_LISTEN: {
    meaning: 'The Prometheus metrics endpoint could not listen on its port.',
    hint: 'Choose another port with --metrics-port, or 0 for a free one, or disable metrics in the fleet file.',
  },
  FLEET_ERR_FLEET_STATE: {
    meaning: 'A fleet method was called in a state where it cannot run (for example inject() after stop()).',
    hint: 'Call start() first and do not use a fleet after stop().',
  },
  FLEET_ERR_FLEET_WAIT_TIMEOUT: {
    meaning: 'fleet.waitFor() did not see its condition become true before the timeout.',
    hint: 'Raise timeoutMs, or check the condition; the message includes what the fleet looked like.',
  },
  FLEET_ERR_FAULT_INVALID: {
    meaning: 'A fault given at run time (fleet.inject) is not valid.',
    hint: 'See docs/faults.md for each kind and its parameters.',
  },
  FLEET_ERR_FAULT_NO_TARGETS: {
    meaning: 'A fault target selected no device.',
    hint: 'Check the group names, ids or the fraction/count in the target.',
  },
  FLEET_ERR_OUTPUT_WRITE: {
    meaning: 'An output file (fault log, summary) could not be written.',
    hint: 'Check that the --out folder is writable and the disk is not full.',
  },
  FLEET_ERR_OUTPUT_EXISTS: {
    meaning: 'The output folder already holds files; a dataset is never written over another one.',
    hint: 'Choose a new --out folder, or delete the old one first.',
  },
  FLEET_ERR_INTERNAL: {
    meaning: 'An unexpected internal error; this is a bug in fleet-emu.',
    hint: 'Please report it with the command, the fleet file and the seed.',
  },
} as const satisfies Record<string, { meaning: string; hint: string }>

export type ErrorCode = keyof typeof ERROR_CODES
