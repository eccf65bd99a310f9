import type { EventEmitter } from 'node:events'
import type { z } from 'zod'
import { errors, type Clock, type TimerHandle } from '../core/index.js'
import { FINAL_STATUSES, type CommandReply, type VirtualDevice } from '../device/index.js'
import { selectTargets } from '../faults/index.js'
import { targetSchema } from '../spec/index.js'
import type { ResolvedFleet } from './load-fleet.js'
import { describeDevices } from './plan-fleet.js'

/** Which devices `fleet.command()` talks to: ids, or a fault-style target (`{ group, profile, labels, ids, count, fraction }`). */
export type CommandTarget = readonly string[] | z.input<typeof targetSchema>

export interface FleetCommandOptions {
  /** The command id (reply topics carry it); default `fleet-<n>`, counting this fleet's commands. */
  id?: string
  /** How long to wait for final replies, in fleet-clock ms; default 10 minutes. */
  timeoutMs?: number
}

/** What one device made of a command sent with `fleet.command()`. */
export interface CommandOutcome {
  deviceId: string
  /** Every reply the device sent, in order: `accepted`, `progress`…, then the final one. */
  replies: CommandReply[]
  /** The final reply (`done`, `failed` or `rejected`), or undefined (see `missing`). */
  final: CommandReply | undefined
  /** Why there is no final reply: the device was not online (not delivered), the timeout passed, or the fleet stopped. */
  missing?: 'offline' | 'timeout' | 'stopped'
}

interface FleetView extends Pick<EventEmitter, 'once' | 'off'> {
  readonly seed: number
  readonly resolved: ResolvedFleet
  readonly clock: Clock
}

const DEFAULT_TIMEOUT_MS = 10 * 60_000
const sent = new WeakMap<object, number>()

/** The body of `fleet.command()` (kept out of fleet.ts). */
export function sendFleetCommand(
  fleet: FleetView,
  devices: ReadonlyMap<string, VirtualDevice>,
  target: CommandTarget,
  name: string,
  params: Record<string, unknown>,
  opts: FleetCommandOptions,
): Promise<CommandOutcome[]> {
  const n = (sent.get(fleet) ?? 0) + 1
  const id = opts.id ?? `fleet-${n}`
  if (!/^[\w.-]{1,64}$/.test(id)) throw errors.badArgument(`command id ${JSON.stringify(id)} is not 1–64 letters, digits, "_", "." or "-"`)
  const chosen = pick(fleet, devices, target, id)
  sent.set(fleet, n)
  const outcomes = chosen.map((d): CommandOutcome => ({ deviceId: d.id, replies: [], final: undefined }))
  return new Promise((resolve) => {
    let open = outcomes.length
    const settled = new Set<CommandOutcome>()
    const settle = (o: CommandOutcome, missing?: CommandOutcome['missing']) => {
      if (settled.has(o)) return
      settled.add(o)
      if (missing) o.missing = missing
      if (--open === 0) finish()
    }
    const onStopped = () => outcomes.forEach((o) => settle(o, 'stopped'))
    const finish = () => {
      fleet.clock.clearTimeout(timer)
      fleet.off('stopped', onStopped)
      resolve(outcomes)
    }
    fleet.once('stopped', onStopped)
    const timer: TimerHandle = fleet.clock.setTimeout(() => outcomes.forEach((o) => settle(o, 'timeout')), opts.timeoutMs ?? DEFAULT_TIMEOUT_MS)
    if (open === 0) return finish()
    chosen.forEach((device, i) => {
      const o = outcomes[i]!
      // A command sent while a device is offline would never reach it (sessions are clean).
      if (device.currentStates.connectivity !== 'online') return settle(o, 'offline')
      device.command({ id, name, params }, (reply) => {
        if (settled.has(o)) return
        o.replies.push(reply)
        if (!FINAL_STATUSES.has(reply.status)) return
        o.final = reply
        settle(o)
      })
    })
  })
}

function pick(fleet: FleetView, devices: ReadonlyMap<string, VirtualDevice>, target: CommandTarget, id: string): VirtualDevice[] {
  if (Array.isArray(target)) {
    const ids = target as readonly string[]
    const unknown = ids.filter((d) => !devices.has(d))
    if (unknown.length > 0) throw errors.badArgument(`fleet.command(): no device ${unknown.map((d) => JSON.stringify(d)).join(', ')}`, 'give device ids of this fleet, or a target like { group: "sensors", count: 5 }')
    return [...new Set(ids)].map((d) => devices.get(d)!)
  }
  const r = targetSchema.safeParse(target)
  if (!r.success) throw errors.badArgument(`fleet.command(): bad target: ${r.error.issues.map((i) => `${i.path.join('.') || 'target'}: ${i.message}`).join('; ')}`)
  return selectTargets(describeDevices(fleet.resolved), r.data, fleet.seed, `command:${id}`).map((d) => devices.get(d.id)!)
}
