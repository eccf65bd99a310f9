import { z } from 'zod'
import { durationMs, fraction } from './common.js'

export const LINK_KINDS = ['wifi', 'ethernet', 'cellular', 'lpwan'] as const
export type LinkKind = (typeof LINK_KINDS)[number]

/** What a preset sets: the path's conditions and the MQTT timings that suit it. */
export interface LinkPreset {
  latency: { median: number; p99: number }
  loss: number
  bandwidth?: number
  keepalive: number
  connectTimeout: number
  backoff: { initial: number; max: number; multiplier: number; jitter: number }
}

/**
 * Typical paths, one-way latency in ms (docs/device-profile.md gives the sources' ranges). Chosen
 * to be ordinary, not worst cases: faults are how a run makes the network bad.
 * - ethernet: a LAN to an on-site or nearby broker.
 * - wifi: a home or office access point; occasional retries on a busy channel.
 * - cellular: LTE/LTE-M to a cloud broker; carrier NATs drop idle TCP after a few minutes, so the
 *   keep-alive stays under them, and retries back off to minutes (carriers penalise reconnect storms).
 * - lpwan: NB-IoT class, seconds of latency and a few KB/s; keep-alive in tens of minutes to save power.
 */
export const LINK_PRESETS: Record<LinkKind, LinkPreset> = {
  ethernet: { latency: { median: 1, p99: 4 }, loss: 0, keepalive: 60_000, connectTimeout: 10_000, backoff: { initial: 1_000, max: 30_000, multiplier: 2, jitter: 0.5 } },
  wifi: { latency: { median: 6, p99: 60 }, loss: 0.002, keepalive: 60_000, connectTimeout: 10_000, backoff: { initial: 1_000, max: 60_000, multiplier: 2, jitter: 0.5 } },
  cellular: { latency: { median: 60, p99: 500 }, loss: 0.01, keepalive: 120_000, connectTimeout: 30_000, backoff: { initial: 5_000, max: 300_000, multiplier: 2, jitter: 0.5 } },
  lpwan: { latency: { median: 1_500, p99: 8_000 }, loss: 0.02, bandwidth: 3_000, keepalive: 1_200_000, connectTimeout: 60_000, backoff: { initial: 30_000, max: 3_600_000, multiplier: 2, jitter: 0.5 } },
}

const latencySchema = z
  .strictObject({
    /** Half of all packets are faster than this (one way). */
    median: durationMs,
    /** 99 % of packets are faster than this; must not be below `median`. */
    p99: durationMs,
  })
  .refine((l) => l.p99 >= l.median, { message: 'p99 must not be below median', path: ['p99'], params: { hint: 'e.g. { median: 60ms, p99: 500ms }' } })
  .refine((l) => l.median > 0 || l.p99 === 0, { message: 'median must be above 0 when p99 is', path: ['median'], params: { hint: 'a log-normal latency needs a median; { median: 0ms, p99: 0ms } means none' } })

/** The device's side of its network path (see LINK_PRESETS); fields given override the preset's. */
export const networkObjectSchema = z.strictObject({
  /** Preset the other fields start from; default: `connectivity.link`. */
  preset: z.enum(LINK_KINDS).optional(),
  latency: latencySchema.optional(),
  /** Chance that a packet is lost and resent by TCP (it arrives late, never not at all). */
  loss: fraction.optional(),
  /** Throughput cap each way, bytes per second. */
  bandwidth: z.number().positive().optional(),
})

export const networkSchema = z.union([z.enum(LINK_KINDS), networkObjectSchema])

export type NetworkSpec = z.output<typeof networkSchema>

/** A profile's network conditions resolved against its presets. */
export interface NetworkConditions {
  latency: { median: number; p99: number }
  loss: number
  bandwidth: number | undefined
}

export function resolveNetwork(network: NetworkSpec, link: LinkKind): NetworkConditions {
  const spec = typeof network === 'string' ? { preset: network } : network
  const preset = LINK_PRESETS[spec.preset ?? link]
  return { latency: spec.latency ?? preset.latency, loss: spec.loss ?? preset.loss, bandwidth: spec.bandwidth ?? preset.bandwidth }
}

/**
 * Fills the MQTT timings a profile leaves out from its network's preset, before defaults apply:
 * a profile that asks for cellular conditions gets cellular keep-alive and backoff unless it says
 * otherwise. Profiles without `network` keep the plain defaults.
 */
export function withPresetTimings(input: unknown): unknown {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return input
  const c = input as Record<string, unknown>
  const network = c.network
  if (network === undefined) return input
  const name = typeof network === 'string' ? network : typeof network === 'object' && network !== null ? ((network as { preset?: unknown }).preset ?? c.link ?? 'wifi') : undefined
  if (typeof name !== 'string' || !(LINK_KINDS as readonly string[]).includes(name)) return input
  const p = LINK_PRESETS[name as LinkKind]
  return { ...c, keepalive: c.keepalive ?? p.keepalive, connectTimeout: c.connectTimeout ?? p.connectTimeout, backoff: c.backoff ?? p.backoff }
}
