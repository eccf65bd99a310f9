import { z } from 'zod'
import { didYouMean } from '../core/index.js'
import { durationMs } from '../spec/index.js'

/**
 * Commands arrive on the profile's commands topic as `{ "id": "c1", "name": "reboot", "params": {} }`.
 * Every command gets exactly one final reply on `<commands topic>/<id>/reply` — `done`, `failed` or
 * `rejected`, with a reason — optionally preceded by `accepted` and `progress` replies. Bad input is
 * answered, never thrown: a device does not crash on a malformed command.
 */
export interface Command {
  id: string
  name: string
  params: Record<string, unknown>
}

export type CommandReplyStatus = 'accepted' | 'progress' | 'rejected' | 'done' | 'failed'

/** The statuses that end a command: each command gets exactly one of these. */
export const FINAL_STATUSES: ReadonlySet<CommandReplyStatus> = new Set(['rejected', 'done', 'failed'])

export interface CommandReply {
  id: string
  status: CommandReplyStatus
  /** `progress` replies: fraction done, 0–1 (two decimals). */
  progress?: number
  reason?: string
  /** Final replies of `ota`, `reboot` and `factory-reset`: the firmware version running after it. */
  version?: string
}

export type ParsedCommand = { ok: true; command: Command } | { ok: false; id: string; reason: string }

export function parseCommand(payload: Buffer): ParsedCommand {
  let data: unknown
  try {
    data = JSON.parse(payload.toString('utf8'))
  } catch {
    return { ok: false, id: 'invalid', reason: 'payload is not valid JSON' }
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return { ok: false, id: 'invalid', reason: 'payload must be a JSON object' }
  const { id, name, params } = data as Record<string, unknown>
  const cmdId = typeof id === 'string' && /^[\w.-]{1,64}$/.test(id) ? id : undefined
  if (!cmdId) return { ok: false, id: 'invalid', reason: 'field "id" must be a string of letters, digits, "_", "." or "-"' }
  if (typeof name !== 'string') return { ok: false, id: cmdId, reason: 'field "name" must be a string' }
  if (params !== undefined && (typeof params !== 'object' || params === null || Array.isArray(params))) {
    return { ok: false, id: cmdId, reason: 'field "params" must be an object' }
  }
  return { ok: true, command: { id: cmdId, name, params: (params ?? {}) as Record<string, unknown> } }
}

/** Key order is fixed (id, status, progress, reason, version): the same run gives the same bytes. */
export function encodeReply(reply: CommandReply): string {
  const { id, status, progress, reason, version } = reply
  return JSON.stringify({ id, status, progress, reason, version })
}

// --- parameters, per command ----------------------------------------------------------------------

const MIN_SAMPLE_PERIOD_MS = 100
const MAX_SAMPLE_PERIOD_MS = 7 * 24 * 3_600_000

const thresholdSchema = z
  .strictObject({ min: z.number().optional(), max: z.number().optional() })
  .refine((t) => t.min === undefined || t.max === undefined || t.min < t.max, { message: 'min must be below max' })

export const commandParamSchemas = {
  ping: z.strictObject({}),
  reboot: z.strictObject({}),
  'factory-reset': z.strictObject({}),
  'config-set': z
    .strictObject({
      samplePeriod: durationMs
        .refine((ms) => ms >= MIN_SAMPLE_PERIOD_MS && ms <= MAX_SAMPLE_PERIOD_MS, { message: `must be between ${MIN_SAMPLE_PERIOD_MS}ms and 7d` })
        .optional(),
      thresholds: z.record(z.string().min(1), thresholdSchema).optional(),
    })
    .refine((p) => p.samplePeriod !== undefined || p.thresholds !== undefined, { message: 'give samplePeriod and/or thresholds' }),
  ota: z.strictObject({
    version: z.string().regex(/^[\w.+-]{1,64}$/, { message: 'must be 1–64 letters, digits, ".", "+", "_" or "-"' }),
    url: z.url({ protocol: /^https?$/, error: 'must be an http or https URL' }).max(2048).optional(),
    sizeBytes: z
      .number()
      .int()
      .positive()
      .max(4 * 1024 ** 3)
      .optional(),
    sha256: z
      .string()
      .regex(/^[0-9a-fA-F]{64}$/, { message: 'must be 64 hex digits' })
      .optional(),
  }),
} as const

export type CommandName = keyof typeof commandParamSchemas
export type CommandParams<N extends CommandName> = z.output<(typeof commandParamSchemas)[N]>

/** Commands the device knows, and the firmware event each needs its model to handle (none: the device answers). */
export const COMMAND_EVENTS: Readonly<Record<CommandName, string | undefined>> = {
  reboot: 'command.reboot',
  ping: undefined,
  'factory-reset': 'command.factory_reset',
  'config-set': 'command.config_set',
  ota: 'command.ota',
}

export const isCommandName = (name: string): name is CommandName => Object.hasOwn(commandParamSchemas, name)

export type ValidatedParams<N extends CommandName> = { ok: true; params: CommandParams<N> } | { ok: false; reason: string }

/** Checks a command's params against its schema; the reason names every problem. */
export function validateParams<N extends CommandName>(name: N, params: Record<string, unknown>): ValidatedParams<N> {
  const schema = commandParamSchemas[name] as unknown as z.ZodType<CommandParams<N>>
  const r = schema.safeParse(params)
  if (r.success) return { ok: true, params: r.data }
  return { ok: false, reason: r.error.issues.map((i) => describeIssue(name, i, params)).join('; ') }
}

function describeIssue(name: CommandName, issue: z.core.$ZodIssue, params: Record<string, unknown>): string {
  const where = ['params', ...issue.path.map(String)].join('.')
  if (issue.code === 'unrecognized_keys') {
    const known = Object.keys(shapeAt(commandParamSchemas[name], issue.path))
    if (known.length === 0) return `"${name}" takes no parameters, got ${issue.keys.map((k) => `"${k}"`).join(', ')}`
    return issue.keys.map((k) => `${where}: unknown parameter "${k}" — ${didYouMean(k, known) ?? `known: ${known.join(', ')}`}`).join('; ')
  }
  if (issue.code === 'invalid_type') {
    const value = valueAt(params, issue.path)
    if (value === undefined) return `${where}: required (${issue.expected})`
    return `${where}: expected ${issue.expected === 'int' ? 'an integer' : article(issue.expected)}, got ${typeOf(value)}`
  }
  // The only union in command params is a duration ("30s" or ms).
  if (issue.code === 'invalid_union') return `${where}: expected a duration ("30s") or a number of ms, got ${typeOf(valueAt(params, issue.path))}`
  return `${where}: ${issue.message}`
}

function valueAt(params: Record<string, unknown>, path: readonly PropertyKey[]): unknown {
  return path.reduce<unknown>((v, k) => (typeof v === 'object' && v !== null ? (v as Record<PropertyKey, unknown>)[k] : undefined), params)
}

const article = (word: string) => `${/^[aeiou]/.test(word) ? 'an' : 'a'} ${word}`

interface SchemaDef {
  type: string
  shape?: Record<string, { def: SchemaDef }>
  valueType?: { def: SchemaDef }
  innerType?: { def: SchemaDef }
  in?: { def: SchemaDef }
}

/** The keys of the object schema at `path` (through optionals, records and pipes), for "did you mean". */
function shapeAt(schema: z.ZodType, path: readonly PropertyKey[]): Record<string, unknown> {
  let def: SchemaDef | undefined = (schema as unknown as { def: SchemaDef }).def
  const unwrap = () => {
    while (def && (def.type === 'optional' || def.type === 'pipe')) def = (def.innerType ?? def.in)?.def
  }
  for (const key of path) {
    unwrap()
    if (def?.type === 'object') def = def.shape?.[String(key)]?.def
    else if (def?.type === 'record') def = def.valueType?.def
    else return {}
  }
  unwrap()
  return def?.type === 'object' ? (def.shape ?? {}) : {}
}

function typeOf(v: unknown): string {
  if (v === null) return 'null'
  if (Array.isArray(v)) return 'an array'
  if (typeof v === 'number') return `the number ${v}`
  if (typeof v === 'string') return `the string ${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v)}`
  return article(typeof v)
}
