/**
 * `Date.prototype.toISOString` output, faster: the date part is cached per UTC day, the time of day
 * is formatted by hand. Datasets format two timestamps per row, millions of times.
 */
const DAY_MS = 86_400_000
let cachedDay = Number.NaN
let cachedPrefix = ''

const pad2 = (n: number) => (n < 10 ? '0' + n : '' + n)
const pad3 = (n: number) => (n < 10 ? '00' + n : n < 100 ? '0' + n : '' + n)

/** The second last formatted, and its text up to the milliseconds (rows come in time order: most share it). */
let cachedSecond = Number.NaN
let cachedSecondPrefix = ''

export function isoTime(ms: number): string {
  return `${isoSecondPrefix(ms)}${pad3(ms - Math.floor(ms / 1000) * 1000)}Z`
}

/** The ISO text of `ms` up to its milliseconds: `YYYY-MM-DDTHH:MM:SS.` (cached for the last second). */
export function isoSecondPrefix(ms: number): string {
  const second = Math.floor(ms / 1000)
  if (second !== cachedSecond) {
    const day = Math.floor(ms / DAY_MS)
    if (day !== cachedDay) {
      cachedDay = day
      cachedPrefix = new Date(day * DAY_MS).toISOString().slice(0, 11)
    }
    let rest = second * 1000 - day * DAY_MS
    const h = Math.floor(rest / 3_600_000)
    rest -= h * 3_600_000
    const m = Math.floor(rest / 60_000)
    rest -= m * 60_000
    cachedSecond = second
    cachedSecondPrefix = `${cachedPrefix}${pad2(h)}:${pad2(m)}:${pad2(Math.floor(rest / 1000))}.`
  }
  return cachedSecondPrefix
}
