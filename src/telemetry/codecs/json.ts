/** A telemetry sample as devices publish it; values are null when a sensor reports nothing, NaN when it reports "NaN". */
export interface TelemetrySample {
  ts: number
  seq: number
  values: Record<string, number | null>
  battery?: number
  fw?: string
}

/**
 * The generic JSON payload: `{"ts":…,"seq":…,"temperature":21.5,…,"battery":97.1}`. Keys are written
 * in a fixed order so payloads are byte-identical for the same seed. JSON has no NaN, so a NaN reading
 * is written as the string `"NaN"`, as real devices send it; null and ±Infinity are written as null.
 */
export function encodeJson(sample: TelemetrySample): Buffer {
  let out = `{"ts":${sample.ts},"seq":${sample.seq}`
  for (const [k, v] of Object.entries(sample.values)) out += `,${JSON.stringify(k)}:${encodeJsonValue(v)}`
  if (sample.battery !== undefined) out += `,"battery":${sample.battery}`
  if (sample.fw !== undefined) out += `,"fw":${JSON.stringify(sample.fw)}`
  return Buffer.from(out + '}')
}

/** One reading as the JSON codec writes it: the number, `null`, or `"NaN"` (for payload rewriters that must match). */
export function encodeJsonValue(v: number | null): string | number {
  if (v === null) return 'null'
  if (Number.isNaN(v)) return '"NaN"'
  return Number.isFinite(v) ? v : 'null'
}
