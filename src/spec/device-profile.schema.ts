import { z } from 'zod'
import { durationMs, fraction, labels, name, positiveDurationMs } from './common.js'
import { LINK_KINDS, networkSchema, withPresetTimings } from './link-presets.js'
import { signalSchema } from './signal.schema.js'

/** Payload fields a sensor may not be named after (they would collide in the telemetry JSON). */
export const RESERVED_SENSOR_NAMES = ['ts', 'seq', 'battery', 'fw'] as const

export const sensorSchema = z.strictObject({
  unit: z.string().optional(),
  signal: signalSchema,
  /** Standard deviation of Gaussian measurement noise, in the sensor's unit. */
  noise: z.number().nonnegative().default(0),
  /** Physical range [min, max]; readings are clamped into it. */
  range: z.tuple([z.number(), z.number()]).optional(),
  /** Decimal places kept in telemetry. */
  precision: z.number().int().min(0).max(9).default(2),
})

export const firmwareRefSchema = z.strictObject({
  /** Name of a firmware model in firmware-models/ (e.g. `basic`). */
  model: z.string().default('basic'),
  version: z.string().default('1.0.0'),
  bootTime: durationMs.default(2_000),
  /** How long a crashed device stays down before its watchdog reboots it. */
  watchdog: positiveDurationMs.default(8_000),
  /** Seeded chance of a spontaneous firmware crash, per device per hour. */
  crashesPerHour: z.number().nonnegative().default(0),
  /** Time spent in `rebooting` (after a reboot command, a watchdog reset or an applied update). */
  rebootDelay: durationMs.default(500),
  /** Put the running firmware version in telemetry (`"fw":"1.2.0"`). */
  versionInTelemetry: z.boolean().default(false),
  /** Topic template of a retained JSON firmware report (version, update in progress, last update); none when absent. */
  reportTopic: z.string().min(1).optional(),
  // OTA updates (the `ota` model; other models ignore these).
  /** Download speed while online, bytes per second. */
  otaDownloadBytesPerSec: z.number().positive().default(262_144),
  /** A `progress` reply every this long while downloading. */
  otaProgressInterval: positiveDurationMs.default(1_000),
  /** Image size when the `ota` command gives no `sizeBytes`. */
  otaImageBytes: z.number().int().positive().default(1_048_576),
  otaVerifyTime: durationMs.default(1_000),
  otaApplyTime: durationMs.default(3_000),
  /** After its first boot, the new version must connect within this long or it is rolled back. */
  otaHealthCheck: positiveDurationMs.default(30_000),
  /** Seeded chance that a downloaded image fails verification (checksum). */
  otaVerifyFailureRate: fraction.default(0),
  /** Seeded chance that the new version fails its first boot (then it is rolled back). */
  otaBootFailureRate: fraction.default(0),
})

export const backoffSchema = z.strictObject({
  initial: positiveDurationMs.default(1_000),
  max: positiveDurationMs.default(60_000),
  multiplier: z.number().min(1).default(2),
  /** Full-jitter fraction: each delay is drawn in [d·(1-jitter), d]. */
  jitter: fraction.default(0.5),
})

const connectivityObjectSchema = z.strictObject({
  link: z.enum(LINK_KINDS).default('wifi'),
  /**
   * Latency and loss on the device's side of the link: a preset name, or `{ preset, latency, loss,
   * bandwidth }`. Absent: an ideal path (what integration tests and soak baselines want).
   */
  network: networkSchema.optional(),
  keepalive: positiveDurationMs.default(30_000),
  connectTimeout: positiveDurationMs.default(10_000),
  backoff: backoffSchema.default({ initial: 1_000, max: 60_000, multiplier: 2, jitter: 0.5 }),
  /** Telemetry messages kept while offline and sent on reconnect (oldest dropped past this). */
  offlineBuffer: z.number().int().nonnegative().default(0),
  protocolVersion: z.union([z.literal(4), z.literal(5)]).default(4),
})

/** Connectivity, with the keep-alive, connect timeout and backoff a chosen network preset suggests filled in first. */
export const connectivitySchema = z.preprocess(withPresetTimings, connectivityObjectSchema)

const hourOfDay = z.number().min(0).max(24)

/** A charger: mains/USB (`constant`) or a solar panel (half-sine over daylight, weather per day). */
export const chargingSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('constant'),
    /** Charging current, mA. */
    ma: z.number().positive(),
    /** A dead device boots again once charged above this. */
    resumePercent: z.number().min(0).max(100).default(30),
  }),
  z
    .strictObject({
      kind: z.literal('solar'),
      /** Panel current at solar noon on a clear day, mA. */
      peakMa: z.number().positive(),
      /** Hours of day (UTC, fractional) of sunrise and sunset. */
      sunrise: hourOfDay.default(6),
      sunset: hourOfDay.default(18),
      /** Each day's output is scaled by a factor drawn in [1 − weather, 1]; 0: every day clear. */
      weather: fraction.default(0),
      /** Hour of day (UTC, fractional) at t = 0, as for the diurnal signal. */
      startHour: hourOfDay.default(0),
      resumePercent: z.number().min(0).max(100).default(30),
    })
    .refine((c) => c.sunset > c.sunrise, { message: 'sunset must be after sunrise', path: ['sunset'], params: { hint: 'hours of day, e.g. sunrise: 6, sunset: 18' } }),
])

export const batterySchema = z.strictObject({
  capacityMah: z.number().positive(),
  /** Average current while running, in mA. */
  idleMa: z.number().nonnegative().default(0.5),
  /** Charge used per published message, in mAh. */
  perMessageMah: z.number().nonnegative().default(0.01),
  /** Initial charge in percent: a number, or [min, max] drawn per device from the seeded boot stream. */
  initialPercent: z.union([z.number().min(0).max(100), z.tuple([z.number().min(0).max(100), z.number().min(0).max(100)])]).default(100),
  lowPercent: z.number().min(0).max(100).default(20),
  criticalPercent: z.number().min(0).max(100).default(5),
  /** Power-saving sample period once the battery is low or critical; none: the period is unchanged. */
  lowSamplePeriod: positiveDurationMs.optional(),
  /** A charger; none: the battery only drains. */
  charging: chargingSchema.optional(),
})

export const telemetrySchema = z.strictObject({
  period: positiveDurationMs,
  /** Random extra delay per sample as a fraction of the period (real devices are not in lock-step). */
  jitter: fraction.default(0.02),
  qos: z.union([z.literal(0), z.literal(1)]).default(0),
})

/** The generic JSON convention: telemetry, status, commands and shadow on `devices/{id}/…` (templates). */
export const genericTopicsSchema = z.strictObject({
  convention: z.literal('generic').default('generic'),
  telemetry: z.string().default('devices/{id}/telemetry'),
  status: z.string().default('devices/{id}/status'),
  commands: z.string().default('devices/{id}/commands'),
  /** Shadow: the backend's desired settings (the device subscribes, QoS 1). */
  shadowDesired: z.string().default('devices/{id}/shadow/desired'),
  /** Shadow: the device's reported settings (retained, QoS 1). */
  shadowReported: z.string().default('devices/{id}/shadow/reported'),
})

/** Variables a topic template may use; a Sparkplug id template may use no others. */
export const TEMPLATE_VARIABLES = ['id', 'group', 'profile'] as const

/**
 * One Sparkplug id (group, edge node or device) as a template. What it says literally is checked
 * here; what `{id}`, `{group}` and `{profile}` expand to is checked per device when the fleet loads.
 */
const sparkplugId = z
  .string()
  .min(1, { message: 'must not be empty' })
  .superRefine((t, ctx) => {
    const literal = t.replace(/\{(\w+)\}/g, '')
    const bad = [...new Set(literal.match(/[/+#]/g) ?? [])]
    if (bad.length > 0) {
      ctx.addIssue({ code: 'custom', message: `contains ${bad.map((c) => JSON.stringify(c)).join(', ')}: a Sparkplug id must be one topic level`, params: { hint: 'use letters, digits, "-", "_" or "."; no "/", "+" or "#"' } })
    }
    for (const m of t.matchAll(/\{(\w+)\}/g)) {
      if (!(TEMPLATE_VARIABLES as readonly string[]).includes(m[1]!)) {
        ctx.addIssue({ code: 'custom', message: `unknown variable {${m[1]}}`, params: { hint: `use ${TEMPLATE_VARIABLES.map((v) => `{${v}}`).join(', ')}` } })
      }
    }
  })

/** Sparkplug B: `spBv1.0/{groupId}/<type>/{edgeNodeId}[/{deviceId}]`, protobuf payloads (docs/sparkplug.md). */
export const sparkplugTopicsSchema = z.strictObject({
  convention: z.literal('sparkplug'),
  /** Sparkplug group id; default: the fleet group's name. */
  groupId: sparkplugId.default('{group}'),
  /** Edge node id (one per virtual device); default: the device id. */
  edgeNodeId: sparkplugId.default('{id}'),
  /** The one Sparkplug device under the edge node that carries the sensors. */
  deviceId: sparkplugId.default('sensors'),
})

export const topicsSchema = z.discriminatedUnion('convention', [genericTopicsSchema, sparkplugTopicsSchema])

export const credentialsSchema = z.strictObject({ username: z.string().optional(), password: z.string().optional() })

export const deviceProfileSchema = z
  .strictObject({
    name,
    description: z.string().optional(),
    labels: labels.default({}),
    firmware: firmwareRefSchema.prefault({}),
    telemetry: telemetrySchema,
    sensors: z.record(name, sensorSchema).refine((s) => Object.keys(s).length > 0, { message: 'needs at least one sensor' }),
    battery: batterySchema.optional(),
    connectivity: connectivitySchema.prefault({}),
    topics: topicsSchema.prefault({}),
    credentials: credentialsSchema.optional(),
  })
  .superRefine(
    (parsed, ctx) => {
      // Runs even when other fields have problems (see `when`), so any value here may be unparsed.
      const p = parsed as unknown as LooseProfile
      const sensorNames = Object.keys(p.sensors ?? {})
      for (const [sensor, s] of Object.entries(p.sensors ?? {})) {
        // A correlated sensor reads another sensor's clean value in the same sample: sensors are read in order.
        const signal = s?.signal
        if (signal?.kind === 'correlated' && typeof signal.source === 'string') {
          const at = sensorNames.indexOf(signal.source)
          const before = sensorNames.slice(0, sensorNames.indexOf(sensor))
          if (at < 0 || signal.source === sensor) {
            ctx.addIssue({ code: 'custom', path: ['sensors', sensor, 'signal', 'source'], message: signal.source === sensor ? 'a sensor cannot be correlated with itself' : `no sensor "${signal.source}" in this profile`, params: { hint: before.length > 0 ? `sensors defined before "${sensor}": ${before.join(', ')}` : `define the source sensor above "${sensor}"` } })
          } else if (at > before.length) {
            ctx.addIssue({ code: 'custom', path: ['sensors', sensor, 'signal', 'source'], message: `sensor "${signal.source}" is defined after "${sensor}"`, params: { hint: `move "${signal.source}" above "${sensor}": a correlated sensor reads sensors defined before it` } })
          }
        }
        if ((RESERVED_SENSOR_NAMES as readonly string[]).includes(sensor)) {
          ctx.addIssue({ code: 'custom', path: ['sensors', sensor], message: `"${sensor}" is a telemetry field name and cannot name a sensor`, params: { hint: `reserved: ${RESERVED_SENSOR_NAMES.join(', ')}` } })
        }
        const range = s?.range
        if (Array.isArray(range) && isNumber(range[0]) && isNumber(range[1]) && range[0] >= range[1]) {
          ctx.addIssue({ code: 'custom', path: ['sensors', sensor, 'range'], message: `range min must be below max, got [${range.join(', ')}]` })
        }
      }
      if (isNumber(p.battery?.criticalPercent) && isNumber(p.battery.lowPercent) && p.battery.criticalPercent >= p.battery.lowPercent) {
        ctx.addIssue({ code: 'custom', path: ['battery', 'criticalPercent'], message: 'must be below lowPercent' })
      }
      const backoff = p.connectivity?.backoff
      if (isNumber(backoff?.initial) && isNumber(backoff.max) && backoff.initial > backoff.max) {
        ctx.addIssue({ code: 'custom', path: ['connectivity', 'backoff', 'initial'], message: 'must not exceed backoff.max' })
      }
    },
    // Cross-field checks run alongside field problems: validation reports every problem at once.
    { when: (payload) => typeof payload.value === 'object' && payload.value !== null },
  )

interface LooseProfile {
  sensors?: Record<string, { range?: unknown; signal?: { kind?: unknown; source?: unknown } } | undefined>
  battery?: { criticalPercent?: unknown; lowPercent?: unknown }
  connectivity?: { backoff?: { initial?: unknown; max?: unknown } }
}

const isNumber = (v: unknown): v is number => typeof v === 'number'

export type DeviceProfile = z.output<typeof deviceProfileSchema>
export type SensorSpec = z.output<typeof sensorSchema>
export type TopicsSpec = z.output<typeof topicsSchema>
export type GenericTopicsSpec = z.output<typeof genericTopicsSchema>
export type SparkplugTopicsSpec = z.output<typeof sparkplugTopicsSchema>
