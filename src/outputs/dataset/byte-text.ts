import { isoSecondPrefix } from './iso-time.js'

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
  private readonly literals = new Map<string, Buffer>()
  private isoSecond = Number.NaN
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

  /** A string that recurs, escaped (once, then copied as bytes); at most 100,000 are remembered. */
  recurring(s: string): void {
    let bytes = this.known.get(s)
    if (bytes === undefined) {
      bytes = Buffer.from(this.escape(s), 'utf8')
      if (this.known.size < 100_000) this.known.set(s, bytes)
    }
    this.copy(bytes, bytes.length)
  }

  /** A string that recurs, as it is (separators, state names). */
  literal(s: string): void {
    let bytes = this.literals.get(s)
    if (bytes === undefined) {
      bytes = Buffer.from(s, 'utf8')
      if (this.literals.size < 1000) this.literals.set(s, bytes)
    }
    this.copy(bytes, bytes.length)
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

  /** `String(v)`, written as bytes: integers and short decimals by hand, anything else through String. */
  number(v: number): void {
    if (!this.shortDecimal(v)) this.text(String(v))
  }

  /** `new Date(ms).toISOString()` for years 0000–9999 (a dataset's times), as bytes. */
  iso(ms: number): void {
    const second = Math.floor(ms / 1000)
    if (second !== this.isoSecond) {
      this.isoSecond = second
      this.isoPrefixLength = this.isoPrefix.write(isoSecondPrefix(ms), 0, 'latin1')
    }
    this.copy(this.isoPrefix, this.isoPrefixLength)
    const milli = ms - second * 1000
    const b = this.buf
    let i = this.length
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
  private shortDecimal(v: number): boolean {
    if (!(v > -1e9 && v < 1e9)) return false
    let scale = 1
    let d = 0
    let k = v
    while (Math.round(k) / scale !== v) {
      if (++d > 6) return false
      scale *= 10
      k = v * scale
    }
    k = Math.abs(Math.round(k))
    if (v < 0) this.buf[this.length++] = 45 // -
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
