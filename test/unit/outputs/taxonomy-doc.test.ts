import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { faultKinds } from '../../../src/faults/index.js'
import { ANOMALY_TAXONOMY } from '../../../src/outputs/index.js'

describe('anomaly taxonomy', () => {
  it('classifies every fault kind and every effect type a kind can cause', () => {
    const types = new Set([...Object.keys(faultKinds), ...Object.values(faultKinds).flatMap((k) => (k.effects ?? []).flatMap((e) => e.types))])
    expect([...types].filter((t) => !ANOMALY_TAXONOMY[t])).toEqual([])
    expect(Object.keys(ANOMALY_TAXONOMY).filter((t) => !types.has(t))).toEqual([])
  })

  it('docs/datasets.md lists every type with its family and layer', () => {
    const doc = readFileSync('docs/datasets.md', 'utf8')
    const rows = new Map([...doc.matchAll(/^\| `([\w.-]+)` \| (point|contextual|collective) \| (sensor|device|network|fleet) \|/gm)].map((m) => [m[1]!, { family: m[2], layer: m[3] }]))
    expect(Object.fromEntries(rows)).toEqual(ANOMALY_TAXONOMY)
  })
})
