import { errors } from './errors.js'

const UNIT_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 }
const PATTERN = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)\s*$/
const COMPOUND = /^(?:\s*\d+(?:\.\d+)?\s*(?:ms|s|m|h|d|w))+\s*$/

/**
 * Parses "250ms", "30s", "5m", "2h", "7d", "1w", compounds like "1h30m", or a plain number of ms.
 * Files may say "30s"; the schema turns it into ms once, at the edge.
 *
 * @example parseDuration('1h30m') // 5_400_000
 */
export function parseDuration(input: string | number): number {
  if (typeof input === 'number') {
    if (!Number.isFinite(input) || input < 0) throw errors.badDuration(String(input))
    return Math.round(input)
  }
  if (PATTERN.test(input)) {
    const [, n, unit] = PATTERN.exec(input)!
    return Math.round(Number(n) * UNIT_MS[unit!]!)
  }
  if (COMPOUND.test(input)) {
    let total = 0
    for (const m of input.matchAll(/(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)/g)) total += Number(m[1]) * UNIT_MS[m[2]!]!
    return Math.round(total)
  }
  if (/^\s*\d+(?:\.\d+)?\s*$/.test(input)) return Math.round(Number(input))
  throw errors.badDuration(input)
}

/** The inverse, for people: 5400000 → "1h30m", 250 → "250ms". */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s'
  if (ms < 1000) return `${Math.round(ms)}ms`
  let rest = Math.round(ms / 1000)
  const parts: string[] = []
  for (const [unit, size] of [['d', 86_400], ['h', 3_600], ['m', 60], ['s', 1]] as const) {
    if (rest >= size) {
      parts.push(`${Math.floor(rest / size)}${unit}`)
      rest %= size
    }
  }
  return parts.join('')
}
