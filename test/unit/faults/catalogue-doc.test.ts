import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { faultKinds } from '../../../src/faults/index.js'

describe('docs/faults.md', () => {
  const doc = readFileSync('docs/faults.md', 'utf8')
  const sections = new Set([...doc.matchAll(/^#{2,3} `([\w.-]+)`$/gm)].map((m) => m[1]))
  const table = new Set([...doc.matchAll(/^\| \[`([\w.-]+)`\]/gm)].map((m) => m[1]))

  it('has a section and a catalogue row for every registered fault kind, and none for kinds that do not exist', () => {
    expect([...sections].sort()).toEqual(Object.keys(faultKinds).sort())
    expect([...table].sort()).toEqual(Object.keys(faultKinds).sort())
  })
})
