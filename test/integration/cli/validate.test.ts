import { readdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { cli, tmp } from './cli-helpers.js'

describe('fleet-emu validate', () => {
  it('exits 0 for every shipped fleet file and device profile', async () => {
    const shipped = [...readdirSync('fleets').map((f) => join('fleets', f)), ...readdirSync('devices').map((f) => join('devices', f))].filter((f) => f.endsWith('.yaml'))
    expect(shipped.length).toBeGreaterThan(10)
    const run = cli(['validate', ...shipped])
    expect((await run.exit).code, run.stdout() + run.stderr()).toBe(0)
    expect(run.stdout()).toContain(`ok: ${shipped.length} files valid`)
  })

  it('exits 2 listing every problem with file:line:col, path and hint — no stack trace', async () => {
    const dir = tmp('validate')
    const file = join(dir, 'broken.fleet.yaml')
    writeFileSync(
      file,
      [
        'name: broken',
        'duraton: 60s',
        'duration: 1 fortnight',
        'groups:',
        '  - { name: a, profile: env-sensor, count: -3 }',
        'faults:',
        '  - { kind: disconect, at: 5s, duration: 5s }',
        '',
      ].join('\n'),
    )
    const run = cli(['validate', file])
    const { code } = await run.exit
    expect(code).toBe(2)
    const err = run.stderr()
    expect(err).not.toMatch(/\n\s+at /)
    expect(err).toContain(`${file}:2:1 duraton: unknown field "duraton" — did you mean "duration"?`)
    expect(err).toContain(`${file}:3:11 duration: not a duration: "1 fortnight"`)
    expect(err).toContain(`${file}:5:44 groups[0].count: must be >= 0`)
    expect(err).toContain(`${file}:7:13 faults[0].kind: unknown fault kind "disconect" — did you mean "disconnect"?`)
    expect(err).toContain('4 problems found')
  })

  it('exits 2 for a YAML syntax error with its line', async () => {
    const dir = tmp('validate-syntax')
    const file = join(dir, 'syntax.fleet.yaml')
    writeFileSync(file, 'name: x\ngroups: [\n  { name: a\n')
    const run = cli(['validate', file])
    expect((await run.exit).code).toBe(2)
    expect(run.stderr()).toMatch(new RegExp(`${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+:\\d+ `))
    expect(run.stderr()).not.toMatch(/\n\s+at /)
  })
})
