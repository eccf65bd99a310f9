/** A telemetry sample as devices publish it; values are null when a sensor reports nothing. */
export interface TelemetrySample {
  ts: number
  seq: number
  values: Record<string, number | null>
  battery?: number
  fw?: string
}

/**
 * The generic JSON payload: `{"ts":…,"seq":…,"temperature":21.5,…,"battery":97.1}`. Keys are written
 * in a fixed order so payloads are byte-identical for the same seed.
 */
export function encodeJson(sample: TelemetrySample): Buffer {
  let out = `{"ts":${sample.ts},"seq":${sample.seq}`
  for (const [k, v] of Object.entries(sample.values)) out += `,${JSON.stringify(k)}:${v === null || !Number.isFinite(v) ? 'null' : v}`
  if (sample.battery !== undefined) out += `,"battery":${sample.battery}`
  if (sample.fw !== undefined) out += `,"fw":${JSON.stringify(sample.fw)}`
  return Buffer.from(out + '}')
}
