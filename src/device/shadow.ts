import { didYouMean } from '../core/index.js'
import { validateParams } from './commands.js'
import type { FirmwareConfig } from './kit.js'

/**
 * Device shadow (twin). The backend publishes a desired document — the settings `config-set` takes,
 * e.g. `{ "samplePeriod": "30s", "thresholds": { "temperature": { "max": 30 } }, "version": 7 }` — on
 * the desired topic; the device applies what it supports and publishes, retained, a reported
 * document: the settings in force, what it could not apply (with reasons) and the desired version.
 * Pure: the device decides what it supports and applies the result.
 */

/** Settings a desired document may carry (those `config-set` supports). */
export const SHADOW_SETTINGS = ['samplePeriod', 'thresholds'] as const
export type ShadowSetting = (typeof SHADOW_SETTINGS)[number]

export interface ShadowContext {
  /** Settings this device can apply now; others are reported as unsupported, with `unsupportedReason`. */
  supported: ReadonlySet<ShadowSetting>
  /** Why a known setting is not supported here (e.g. "firmware model basic does not store thresholds"). */
  unsupportedReason?: (setting: ShadowSetting) => string
  sensors: readonly string[]
  /** The reported state so far: applied settings are merged into it. */
  state: Readonly<Record<string, unknown>>
  /** Used as the version when the desired document has none. */
  counter: number
  now: number
}

export interface ReportedDocument {
  /** Settings in force, as the backend asked for them (`samplePeriod` as given, e.g. "30s"). */
  state: Record<string, unknown>
  /** Desired keys not applied, with why. */
  unsupported: Record<string, string>
  version: number
  ts: number
  /** The desired document could not be read at all. */
  error?: string
}

export interface ShadowResult {
  /** What to apply through the config path; undefined when there is nothing to apply. */
  apply: FirmwareConfig | undefined
  reported: ReportedDocument
}

/** Computes what to apply from a desired payload. `undefined` for an empty payload (desired cleared). */
export function reconcileShadow(payload: Buffer | string, ctx: ShadowContext): ShadowResult | undefined {
  const text = typeof payload === 'string' ? payload : payload.toString('utf8')
  if (text.trim() === '') return undefined
  const fail = (error: string): ShadowResult => ({ apply: undefined, reported: { state: { ...ctx.state }, unsupported: {}, version: ctx.counter, ts: ctx.now, error } })
  let data: unknown
  try {
    data = JSON.parse(text)
  } catch {
    return fail('desired document is not valid JSON')
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return fail('desired document must be a JSON object')
  const { version, ...desired } = data as Record<string, unknown>
  const docVersion = typeof version === 'number' && Number.isSafeInteger(version) && version >= 0 ? version : ctx.counter

  const state: Record<string, unknown> = { ...ctx.state }
  const unsupported: Record<string, string> = {}
  const apply: FirmwareConfig = {}
  if (version !== undefined && docVersion !== version) unsupported.version = 'must be a non-negative integer'
  for (const [key, value] of Object.entries(desired)) {
    if (!(SHADOW_SETTINGS as readonly string[]).includes(key)) {
      unsupported[key] = `unknown setting — ${didYouMean(key, SHADOW_SETTINGS) ?? `supported: ${SHADOW_SETTINGS.join(', ')}`}`
      continue
    }
    const setting = key as ShadowSetting
    if (!ctx.supported.has(setting)) {
      unsupported[key] = ctx.unsupportedReason?.(setting) ?? 'not supported by this device'
      continue
    }
    const v = validateParams('config-set', { [key]: value })
    if (!v.ok) {
      unsupported[key] = v.reason.replace(/^params\./, '')
      continue
    }
    if (setting === 'samplePeriod') apply.samplePeriodMs = v.params.samplePeriod
    else {
      const thresholds = v.params.thresholds ?? {}
      const unknown = Object.keys(thresholds).filter((s) => !ctx.sensors.includes(s))
      if (unknown.length > 0) {
        unsupported[key] = unknown.map((s) => `no sensor "${s}" — ${didYouMean(s, ctx.sensors) ?? `sensors: ${ctx.sensors.join(', ')}`}`).join('; ')
        continue
      }
      apply.thresholds = thresholds
    }
    state[key] = value
  }
  const changed = apply.samplePeriodMs !== undefined || apply.thresholds !== undefined
  return { apply: changed ? apply : undefined, reported: { state, unsupported, version: docVersion, ts: ctx.now } }
}

/** Key order is fixed (state, unsupported, error, version, ts): the same run gives the same bytes. */
export function encodeReported(r: ReportedDocument): string {
  const { state, unsupported, error, version, ts } = r
  return JSON.stringify({ state, unsupported, error, version, ts })
}
