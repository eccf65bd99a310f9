const DAY_MS = 86_400_000
const POW10 = [1, 10, 100, 1000, 10_000, 100_000, 1_000_000]

/**
 * Text built straight into a byte buffer: what a dataset's CSV writer formats ten million rows with.
 * Numbers, timestamps and the few strings that recur on every row are written as bytes, with no
 * intermediate string to make, encode and collect. The output is exactly what the string forms give
 * (`String(n)`, `Date.prototype.toISOString`, UTF-8); byte-text.test.ts checks it against them.
 */
export class ByteText {
  buf: Buffer
  length = 0
  /** Bytes of strings seen before (device ids, profiles, sensors, versions, anomaly id lists). */
  private readonly known = new Map<string, Buffer>()
  private readonly slotKeys: (string | undefined)[] = []
  private readonly slotBytes: Buffer[] = []
  private readonly literalKeys: (string | undefined)[] = []
  private readonly literalBytes: Buffer[] = []
  /** Per number slot: decimals of its last number. */
  private readonly decimals: number[] = []
  private isoDay = Number.NaN
  private readonly isoPrefix = Buffer.alloc(32)
  private isoPrefixLength = 0

  constructor(
    capacity: number,
    /** How a recurring string is written (CSV quoting, JSON quoting…); applied once per distinct string. */
    private readonly escape: (s: string) => string = (s) => s,
  ) {
    this.buf = Buffer.allocUnsafe(capacity)
  }

  /** Room for `bytes` more; the caller flushes or grows before writing past the end. */
  room(bytes: number): boolean {
    return this.length + bytes <= this.buf.length
  }

  /** Any text, UTF-8. */
  text(s: string): void {
    this.length += this.buf.write(s, this.length)
  }

  /** One ASCII character by code. */
  char(code: number): void {
    this.buf[this.length++] = code
  }

  /**
   * A string that recurs, escaped (once, then copied as bytes); at most 100,000 are remembered. With
   * a `slot` (a column), the last string of that slot is checked first: most rows repeat the previous
   * row's profile, sensor or version, and an identity check is cheaper than a lookup.
   */
  recurring(s: string, slot = -1): void {
    if (slot >= 0 && this.slotKeys[slot] === s) {
      const hit = this.slotBytes[slot]!
      return this.copy(hit, hit.length)
    }
    let bytes = this.known.get(s)
    if (bytes === undefined) {
      bytes = Buffer.from(this.escape(s), 'utf8')
      if (this.known.size < 100_000) this.known.set(s, bytes)
    }
    if (slot >= 0) {
      this.slotKeys[slot] = s
      this.slotBytes[slot] = bytes
    }
    this.copy(bytes, bytes.length)
  }

  /** A string that recurs, as it is (state names), with the last one of its `slot` checked first. */
  literal(s: string, slot: number): void {
    if (this.literalKeys[slot] !== s) {
      this.literalKeys[slot] = s
      this.literalBytes[slot] = Buffer.from(s, 'utf8')
    }
    const bytes = this.literalBytes[slot]!
    this.copy(bytes, bytes.length)
  }

  /** Bytes as they are (constant separators, made once by the caller). */
  bytes(b: Buffer): void {
    this.copy(b, b.length)
  }

  /** Writes again the bytes at [from, to) of what is in the buffer now. */
  repeat(from: number, to: number): void {
    this.buf.copyWithin(this.length, from, to)
    this.length += to - from
  }

  /** Starts again from empty, in a new buffer (the old one now belongs to whoever took it). */
  reset(buf: Buffer): void {
    this.buf = buf
    this.length = 0
  }

  /**
   * `String(v)`, written as bytes: integers and short decimals by hand, anything else through String.
   * `slot` (a column) remembers how many decimals its last number had: a column's numbers mostly have
   * the same, which is then tried first.
   */
  number(v: number, slot = 0): void {
    if (!this.shortDecimal(v, slot)) this.text(String(v))
  }

  /**
   * `new Date(ms).toISOString()` for years 0000–9999 (a dataset's times), as bytes: the date part is
   * kept per day, the time of day written digit by digit (rows of a part follow each other by about a
   * second: a cache per second would miss on nearly every row).
   */
  iso(ms: number): void {
    const day = Math.floor(ms / DAY_MS)
    if (day !== this.isoDay) {
      this.isoDay = day
      this.isoPrefixLength = this.isoPrefix.write(new Date(day * DAY_MS).toISOString().slice(0, 11), 0, 'latin1')
    }
    this.copy(this.isoPrefix, this.isoPrefixLength)
    let rest = ms - day * DAY_MS
    const h = Math.floor(rest / 3_600_000)
    rest -= h * 3_600_000
    const m = Math.floor(rest / 60_000)
    rest -= m * 60_000
    const sec = Math.floor(rest / 1000)
    const milli = rest - sec * 1000
    const b = this.buf
    let i = this.length
    b[i++] = 48 + Math.floor(h / 10)
    b[i++] = 48 + (h % 10)
    b[i++] = 58 // :
    b[i++] = 48 + Math.floor(m / 10)
    b[i++] = 48 + (m % 10)
    b[i++] = 58
    b[i++] = 48 + Math.floor(sec / 10)
    b[i++] = 48 + (sec % 10)
    b[i++] = 46 // .
    b[i++] = 48 + Math.floor(milli / 100)
    b[i++] = 48 + (Math.floor(milli / 10) % 10)
    b[i++] = 48 + (milli % 10)
    b[i++] = 90 // Z
    this.length = i
  }

  /** Short byte runs are copied faster by a loop than by a native call. */
  private copy(bytes: Buffer, n: number): void {
    if (n > 24) {
      bytes.copy(this.buf, this.length, 0, n)
      this.length += n
      return
    }
    const b = this.buf
    let i = this.length
    for (let k = 0; k < n; k++) b[i++] = bytes[k]!
    this.length = i
  }

  /**
   * Writes v as String(v) would when v is k / 10^d for some integer k, d ≤ 6 and |v| < 1e9 (sensor
   * readings rounded to their precision, battery percents, seqs); false otherwise (nothing written).
   * Why this is String(v): v is then the double nearest to k / 10^d, and at this size doubles are
   * closer than 10^-d apart, so no decimal with fewer digits rounds to v — the shortest round-trip
   * form JavaScript prints is k / 10^d itself, and in fixed notation (it uses exponents only below
   * 1e-6 and from 1e21).
   */
  private shortDecimal(v: number, slot: number): boolean {
    if (!(v > -1e9 && v < 1e9)) return false
    // The fewest decimals d ≤ 6 with v = k / 10^d: the slot's last d if it fits (then fewer while k
    // ends in 0: k / 10 over 10^(d-1) is the same rational, so the same double), else each d from 0.
    let d = this.decimals[slot] ?? 0
    let k = Math.round(v * POW10[d]!)
    if (k / POW10[d]! === v) {
      while (d > 0 && k % 10 === 0) {
        k /= 10
        d--
      }
    } else {
      d = 0
      k = Math.round(v)
      while (k / POW10[d]! !== v) {
        if (++d > 6) return false
        k = Math.round(v * POW10[d]!)
      }
    }
    this.decimals[slot] = d
    k = Math.abs(k)
    if (v < 0) this.buf[this.length++] = 45 // -
    const scale = POW10[d]!
    const whole = Math.floor(k / scale)
    this.digits(whole)
    if (d === 0) return true
    this.buf[this.length++] = 46 // .
    let frac = k - whole * scale
    const b = this.buf
    const end = this.length + d
    for (let i = end - 1; i >= this.length; i--) {
      b[i] = 48 + (frac % 10)
      frac = Math.floor(frac / 10)
    }
    this.length = end
    return true
  }

  /** A non-negative integer below 2^53, in decimal. */
  private digits(n: number): void {
    const b = this.buf
    if (n < 10) {
      b[this.length++] = 48 + n
      return
    }
    let count = 1
    for (let m = n; m >= 10; m = Math.floor(m / 10)) count++
    const end = this.length + count
    for (let i = end - 1; i >= this.length; i--) {
      b[i] = 48 + (n % 10)
      n = Math.floor(n / 10)
    }
    this.length = end
  }
}
