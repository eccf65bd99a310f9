import { existsSync, readdirSync, statSync } from 'node:fs'
import { dirname, isAbsolute, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { didYouMean, errors, formatDeviceId, formatDuration, isFleetError, type SpecProblem } from '../core/index.js'
import { faultEntrySchemas, faultKinds, occurrenceStarts } from '../faults/index.js'
import {
  check,
  deepFreeze,
  deviceProfileSchema,
  fleetFileSchema,
  readYamlFile,
  sortProblems,
  type DeviceProfile,
  type FleetFile,
  type YamlSource,
} from '../spec/index.js'
import { firmwareModels } from './firmware-registry.js'
import { sparkplugIdProblems } from './sparkplug-ids.js'

export interface DeviceSpec {
  id: string
  group: string
  profile: DeviceProfile
  labels: Readonly<Record<string, string>>
}

export interface ResolvedFleet {
  file: string
  spec: FleetFile
  profiles: ReadonlyMap<string, DeviceProfile>
  devices: readonly DeviceSpec[]
}

export interface LoadFleetOptions {
  /** Scale group counts proportionally so the fleet has this many devices. */
  devices?: number
  /** Extra folder to look for `<profile>.device.yaml` in (first). */
  profilesDir?: string
}

/** The package's own folder (built-in devices/ live there), found from this module's location. */
function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url))
  for (let i = 0; i < 6; i++) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'devices'))) return dir
    dir = dirname(dir)
  }
  return process.cwd()
}

function profileCandidates(ref: string, fleetFile: string, opts: LoadFleetOptions): string[] {
  const fleetDir = dirname(resolve(fleetFile))
  if (ref.includes('/') || ref.endsWith('.yaml') || ref.endsWith('.yml')) return [isAbsolute(ref) ? ref : resolve(fleetDir, ref)]
  const name = `${ref}.device.yaml`
  const dirs = [opts.profilesDir, join(fleetDir, '..', 'devices'), join(fleetDir, 'devices'), join(process.cwd(), 'devices'), join(packageRoot(), 'devices')]
  return [...new Set(dirs.filter((d): d is string => d !== undefined).map((d) => resolve(d, name)))]
}

function knownProfiles(fleetFile: string, opts: LoadFleetOptions): string[] {
  const dirs = [opts.profilesDir, join(dirname(resolve(fleetFile)), '..', 'devices'), join(packageRoot(), 'devices')]
  const names = new Set<string>()
  for (const d of dirs) {
    if (!d || !existsSync(d) || !statSync(d).isDirectory()) continue
    for (const f of readdirSync(d)) if (f.endsWith('.device.yaml')) names.add(f.replace(/\.device\.yaml$/, ''))
  }
  return [...names].sort()
}

/** Validates one device profile file; returns the profile or its problems. */
export function checkProfileFile(file: string): { ok: true; profile: DeviceProfile } | { ok: false; problems: SpecProblem[] } {
  let source: YamlSource
  try {
    source = readYamlFile(file)
  } catch (e) {
    if (isFleetError(e) && e.problems.length > 0) return { ok: false, problems: [...e.problems] }
    throw e
  }
  const r = check(source, deviceProfileSchema)
  if (!r.ok) return r
  const problems: SpecProblem[] = []
  if (!firmwareModels[r.value.firmware.model]) {
    problems.push({
      file,
      ...source.position(['firmware', 'model']),
      path: 'firmware.model',
      message: `unknown firmware model "${r.value.firmware.model}"`,
      hint: didYouMean(r.value.firmware.model, Object.keys(firmwareModels)) ?? `known models: ${Object.keys(firmwareModels).join(', ')}`,
    })
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, profile: deepFreeze(r.value) }
}

/** Broker-wide (exclusive) faults whose windows overlap another one's: reported at the later fault. */
function exclusiveOverlaps(spec: FleetFile, source: YamlSource, file: string): SpecProblem[] {
  const windows: { i: number; start: number; end: number; label: string }[] = []
  const problems: SpecProblem[] = []
  spec.faults.forEach((f, i) => {
    if (!faultKinds[f.kind]?.exclusive) return
    if (f.perDevicePerDay !== undefined) {
      problems.push({
        file,
        ...source.position(['faults', i, 'perDevicePerDay']),
        path: `faults[${i}].perDevicePerDay`,
        message: `${f.kind} is broker-wide: it has no per-device occurrences to draw`,
        hint: 'schedule it with at (and every), not perDevicePerDay',
      })
      return
    }
    if (f.duration === undefined) return
    for (const start of occurrenceStarts(f, spec.duration)) windows.push({ i, start, end: start + f.duration, label: `${f.kind} at ${formatDuration(start)}` })
  })
  windows.sort((a, b) => a.start - b.start)
  for (let k = 1; k < windows.length; k++) {
    const prev = windows[k - 1]!
    const w = windows[k]!
    if (w.start < prev.end && w.i !== prev.i) {
      problems.push({
        file,
        ...source.position(['faults', w.i, 'at']),
        path: `faults[${w.i}].at`,
        message: `${w.label} overlaps ${prev.label} (until ${formatDuration(prev.end)}): broker-wide faults may not overlap`,
        hint: `start it at ${formatDuration(prev.end)} or later`,
      })
    }
  }
  return problems
}

/** Splits `total` over groups in proportion to their counts (largest remainder; each group ≥ 0). */
export function scaleCounts(counts: readonly number[], total: number): number[] {
  const sum = counts.reduce((a, b) => a + b, 0)
  if (sum === 0) return counts.map(() => 0)
  const exact = counts.map((c) => (c * total) / sum)
  const out = exact.map(Math.floor)
  let left = total - out.reduce((a, b) => a + b, 0)
  const order = exact.map((e, i) => [e - Math.floor(e), i] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1])
  for (const [, i] of order) {
    if (left-- <= 0) break
    out[i]!++
  }
  return out
}

/**
 * Loads a fleet file and every device profile it names. Validation reports every problem in every
 * file (file:line:column, field path, hint) in one FleetError, not just the first.
 */
export function loadFleet(file: string, opts: LoadFleetOptions = {}): ResolvedFleet {
  const source = readYamlFile(file)
  const r = check(source, fleetFileSchema(faultEntrySchemas))
  if (!r.ok) throw errors.specInvalid(file, r.problems)
  const spec = r.value
  const problems: SpecProblem[] = []
  const profiles = new Map<string, DeviceProfile>()
  // Profile files already reported as invalid: groups sharing one must not repeat its problems.
  const invalidProfileFiles = new Set<string>()

  spec.groups.forEach((g, i) => {
    if (profiles.has(g.profile)) return
    const candidates = profileCandidates(g.profile, file, opts)
    const found = candidates.find((c) => existsSync(c))
    if (!found) {
      problems.push({
        file,
        ...source.position(['groups', i, 'profile']),
        path: `groups[${i}].profile`,
        message: `device profile "${g.profile}" not found (looked in ${candidates.map((c) => relative(process.cwd(), c) || c).join(', ')})`,
        hint: didYouMean(g.profile, knownProfiles(file, opts)) ?? `available: ${knownProfiles(file, opts).join(', ') || 'none'}`,
      })
      return
    }
    if (invalidProfileFiles.has(found)) return
    const pr = checkProfileFile(found)
    if (pr.ok) profiles.set(g.profile, pr.profile)
    else {
      invalidProfileFiles.add(found)
      problems.push(...pr.problems)
    }
  })

  const groupNames = spec.groups.map((g) => g.name)
  spec.faults.forEach((f, i) => {
    f.target.group?.forEach((g, j) => {
      if (groupNames.includes(g)) return
      const path = Array.isArray((source.data as { faults: { target: { group: unknown } }[] }).faults[i]?.target.group) ? ['faults', i, 'target', 'group', j] : ['faults', i, 'target', 'group']
      problems.push({ file, ...source.position(path), path: `faults[${i}].target.group`, message: `no group named "${g}"`, hint: didYouMean(g, groupNames) ?? `groups: ${groupNames.join(', ')}` })
    })
  })
  const allSensors = [...new Set([...profiles.values()].flatMap((p) => Object.keys(p.sensors)))]
  spec.faults.forEach((f, i) => {
    const sensors = (f as { sensors?: unknown }).sensors
    if (!Array.isArray(sensors) || profiles.size < new Set(spec.groups.map((g) => g.profile)).size) return
    sensors.forEach((name: string, j) => {
      if (allSensors.includes(name)) return
      problems.push({ file, ...source.position(['faults', i, 'sensors', j]), path: `faults[${i}].sensors[${j}]`, message: `no device in this fleet has a sensor "${name}"`, hint: didYouMean(name, allSensors) ?? `sensors: ${allSensors.join(', ')}` })
    })
  })
  problems.push(...exclusiveOverlaps(spec, source, file))
  if (problems.length > 0) throw errors.specInvalid(file, sortProblems(problems))

  const counts = opts.devices === undefined ? spec.groups.map((g) => g.count) : scaleCounts(spec.groups.map((g) => g.count), opts.devices)
  const devices: DeviceSpec[] = []
  const seen = new Map<string, string>()
  spec.groups.forEach((g, gi) => {
    const profile = profiles.get(g.profile)!
    const pattern = g.idPattern ?? `${g.name}-{n:04}`
    const labels = Object.freeze({ ...profile.labels, ...g.labels })
    for (let i = 0; i < counts[gi]!; i++) {
      const id = formatDeviceId(pattern, g.name, i)
      const other = seen.get(id)
      if (other !== undefined) {
        problems.push({ file, ...source.position(['groups', gi, 'idPattern']), path: `groups[${gi}].idPattern`, message: `device id "${id}" is also made by group "${other}"`, hint: 'give each group its own id prefix' })
        break
      }
      seen.set(id, g.name)
      devices.push({ id, group: g.name, profile, labels })
    }
  })
  problems.push(...sparkplugIdProblems(spec, source, file, devices))
  if (problems.length > 0) throw errors.specInvalid(file, sortProblems(problems))
  return { file, spec: deepFreeze(spec), profiles, devices }
}
