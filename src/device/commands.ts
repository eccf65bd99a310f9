/**
 * Commands arrive on the profile's commands topic as `{ "id": "c1", "name": "reboot", "params": {} }`.
 * Every command gets one reply on `<commands topic>/<id>/reply`: accepted | rejected | done | failed,
 * with a reason. Bad input is answered, never thrown: a device does not crash on a malformed command.
 */
export interface Command {
  id: string
  name: string
  params: Record<string, unknown>
}

export type CommandReplyStatus = 'accepted' | 'rejected' | 'done' | 'failed'

export interface CommandReply {
  id: string
  status: CommandReplyStatus
  reason?: string
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

export function encodeReply(reply: CommandReply): string {
  return JSON.stringify(reply)
}
