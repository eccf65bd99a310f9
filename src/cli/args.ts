import { InvalidArgumentError } from 'commander'

export function intArg(value: string): number {
  const n = Number(value)
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError(`expected a whole number >= 0, got "${value}"`)
  return n
}

export function portArg(value: string): number {
  const n = intArg(value)
  if (n > 65535) throw new InvalidArgumentError(`expected a port 0–65535, got "${value}"`)
  return n
}
