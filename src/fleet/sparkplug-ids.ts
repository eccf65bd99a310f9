import { expandTemplate, type SpecProblem } from '../core/index.js'
import type { FleetFile, YamlSource } from '../spec/index.js'
import type { DeviceSpec } from './load-fleet.js'

const ID_FIELDS = ['groupId', 'edgeNodeId', 'deviceId'] as const
const FORBIDDEN = /[/+#]/

/**
 * Sparkplug ids must each be one topic level, and two edge nodes may not share a group and node id
 * (their births and deaths would be one node's to a host). A profile's templates are checked on their
 * own when it loads; what `{id}`, `{group}` and `{profile}` expand to is known only here, per device.
 * One problem per group and kind of problem, at the group's line.
 */
export function sparkplugIdProblems(spec: FleetFile, source: YamlSource, file: string, devices: readonly DeviceSpec[]): SpecProblem[] {
  const problems: SpecProblem[] = []
  const reported = new Set<string>()
  const nodes = new Map<string, { id: string; group: string }>()
  const groupIndex = new Map(spec.groups.map((g, i) => [g.name, i]))
  for (const d of devices) {
    const topics = d.profile.topics
    if (topics.convention !== 'sparkplug') continue
    const gi = groupIndex.get(d.group)!
    const group = spec.groups[gi]!
    const vars = { id: d.id, group: d.group, profile: d.profile.name }
    const ids = { groupId: expandTemplate(topics.groupId, vars), edgeNodeId: expandTemplate(topics.edgeNodeId, vars), deviceId: expandTemplate(topics.deviceId, vars) }
    for (const field of ID_FIELDS) {
      const value = ids[field]
      const key = `${gi}:${field}`
      if (!FORBIDDEN.test(value) || reported.has(key)) continue
      reported.add(key)
      const fromId = topics[field].includes('{id}') && FORBIDDEN.test(d.id)
      const at = fromId && group.idPattern !== undefined ? ['groups', gi, 'idPattern'] : ['groups', gi, 'profile']
      problems.push({
        file,
        ...source.position(at),
        path: `groups[${gi}].${at[2]}`,
        message: `Sparkplug ${field} "${topics[field]}" expands to "${value}" for device "${d.id}": not one topic level (no "/", "+" or "#")`,
        hint: fromId ? `give the group an idPattern without "/", "+" or "#", or set topics.${field} in profile "${d.profile.name}" without {id}` : `change topics.${field} in profile "${d.profile.name}"`,
      })
    }
    const node = `${ids.groupId}/${ids.edgeNodeId}`
    const other = nodes.get(node)
    const key = `${gi}:node`
    if (other === undefined) nodes.set(node, { id: d.id, group: d.group })
    else if (!reported.has(key)) {
      reported.add(key)
      problems.push({
        file,
        ...source.position(['groups', gi, 'profile']),
        path: `groups[${gi}].profile`,
        message: `devices "${other.id}" and "${d.id}" are both Sparkplug edge node "${ids.edgeNodeId}" in group "${ids.groupId}"`,
        hint: `every device is its own edge node: keep {id} in topics.edgeNodeId of profile "${d.profile.name}" (the default)`,
      })
    }
  }
  return problems
}
