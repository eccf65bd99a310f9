import { InvalidArgumentError, type Command } from 'commander'

export function intArg(value: string): number {
  const n = Number(value)
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError(`expected a whole number >= 0, got "${value}"`)
  return n
}

export function positiveNumberArg(value: string): number {
  const n = Number(value)
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError(`expected a number > 0, got "${value}"`)
  return n
}

export function portArg(value: string): number {
  const n = intArg(value)
  if (n > 65535) throw new InvalidArgumentError(`expected a port 0–65535, got "${value}"`)
  return n
}

/** The options every fleet command shares: --seed, --devices, --duration (whose wording differs). */
export function fleetOptions(command: Command, durationHelp: string): Command {
  return command
    .option('--seed <n>', 'run seed (overrides the file)', intArg)
    .option('--devices <n>', 'scale the groups to this many devices in total', intArg)
    .option('--duration <d>', durationHelp)
}
