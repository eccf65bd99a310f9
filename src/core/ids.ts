/**
 * Device ids come from a group's id pattern: `{index}` is the 0-based index in the group,
 * `{index:04}` zero-pads it, `{n}`/`{n:04}` is 1-based, `{group}` is the group name.
 *
 * @example formatDeviceId('th-{n:04}', 'sensors', 6) // "th-0007"
 */
export function formatDeviceId(pattern: string, group: string, index: number): string {
  return pattern.replace(/\{(index|n|group)(?::(0?)(\d+))?\}/g, (_m, key: string, zero: string | undefined, width: string | undefined) => {
    if (key === 'group') return group
    const value = String(key === 'n' ? index + 1 : index)
    return width ? value.padStart(Number(width), zero ? '0' : ' ') : value
  })
}

export const ID_PATTERN_TOKEN = /\{(index|n)(?::0?\d+)?\}/

/** Expands a topic template such as `devices/{id}/telemetry`. */
export function expandTemplate(template: string, vars: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (m, key: string) => vars[key] ?? m)
}
