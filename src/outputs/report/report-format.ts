import type { SliUnit } from '../../spec/index.js'

// Fixed locale: a report must read the same on every machine (and render the same bytes).
const INT = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 })
const DEC1 = new Intl.NumberFormat('en-US', { minimumFractionDigits: 1, maximumFractionDigits: 1 })

/** 1234567 → "1,234,567". */
export function formatCount(n: number): string {
  return Number.isInteger(n) ? INT.format(n) : DEC1.format(n)
}

/** 0.42 → "0.42 ms", 812 → "812 ms", 12_345 → "12.3 s", 252_000 → "4 min 12 s", 5_400_000 → "1 h 30 min". */
export function formatMs(ms: number): string {
  const a = Math.abs(ms)
  if (a === 0) return '0 ms'
  if (a < 1) return `${Number(ms.toPrecision(2))} ms`
  if (a < 100) return `${DEC1.format(ms)} ms`
  if (a < 1000) return `${INT.format(ms)} ms`
  if (a < 10_000) return `${(ms / 1000).toFixed(2)} s`
  if (a < 60_000) return `${(ms / 1000).toFixed(1)} s`
  const s = Math.round(a / 1000)
  const sign = ms < 0 ? '−' : ''
  if (s < 3600) return `${sign}${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`
  return `${sign}${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')} min`
}

/** Binary units, as `free`, `top` and Node's own tooling print them: 34_000 → "33.2 KiB", 4.3e8 → "410.1 MiB". */
export function formatBytes(b: number): string {
  const a = Math.abs(b)
  if (a < 1024) return `${INT.format(b)} B`
  if (a < 1024 ** 2) return `${DEC1.format(b / 1024)} KiB`
  if (a < 1024 ** 3) return `${DEC1.format(b / 1024 ** 2)} MiB`
  return `${(b / 1024 ** 3).toFixed(2)} GiB`
}

/**
 * A fraction as a percentage with as many decimals as it takes to show how far it is from 0% or
 * 100%: 0.9995 → "99.95%", 0.000012 → "0.0012%", 0.5 → "50%". A success rate that is not exactly 1
 * never prints as "100%", and a loss that is not 0 never prints as "0%".
 */
export function formatRatio(r: number): string {
  const pct = r * 100
  if (pct === 0 || pct === 100) return `${pct}%`
  const distance = pct > 0 && pct < 100 ? Math.min(pct, 100 - pct) : Math.abs(pct)
  const decimals = Math.min(6, Math.max(1, Math.floor(-Math.log10(distance)) + 2))
  return `${pct.toFixed(decimals).replace(/\.?0+$/, '')}%`
}

/** An SLI value in its unit; null (no data) → "—". */
export function formatSli(value: number | null | undefined, unit: SliUnit): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—'
  switch (unit) {
    case 'ms':
      return formatMs(value)
    case 'bytes':
      return formatBytes(value)
    case 'ratio':
      return formatRatio(value)
    case 'count':
      return formatCount(value)
    case 'per_second':
      return `${formatCount(value)}/s`
  }
}

/** Axis labels: 12_500 → "12.5k", 2_000_000 → "2M", 0.25 → "0.25". */
export function compact(n: number): string {
  const a = Math.abs(n)
  if (a >= 1e6) return `${Number((n / 1e6).toPrecision(3))}M`
  if (a >= 1e4) return `${Number((n / 1e3).toPrecision(3))}k`
  if (a >= 1e3) return `${Number((n / 1e3).toPrecision(2))}k`
  return String(Number(n.toPrecision(3)))
}

/** Run-relative clock time: "m:ss" for runs under an hour, "h:mm" from an hour on. */
export function formatClock(ms: number, hours: boolean): string {
  const s = Math.round(ms / 1000)
  if (hours) return `${Math.floor(s / 3600)}:${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}`
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`
}

/** Short duration for log-axis ticks: 0.5 → "0.5 ms", 2000 → "2 s", 120_000 → "2 min". */
export function formatMsShort(ms: number): string {
  if (ms < 1000) return `${Number(ms.toPrecision(3))} ms`
  if (ms < 60_000) return `${Number((ms / 1000).toPrecision(3))} s`
  if (ms < 3_600_000) return `${Number((ms / 60_000).toPrecision(3))} min`
  return `${Number((ms / 3_600_000).toPrecision(3))} h`
}

export function plural(n: number, word: string): string {
  return `${formatCount(n)} ${word}${n === 1 ? '' : 's'}`
}
