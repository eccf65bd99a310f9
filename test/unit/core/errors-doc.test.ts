import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { ERROR_CODES } from '../../../src/core/error-codes.js'

const DOC = new URL('../../../docs/errors.md', import.meta.url)

/** The rows of the first table under a `## heading`, as arrays of cells with markdown escapes undone. */
function tableUnder(markdown: string, heading: string): string[][] {
  const lines = markdown.split('\n')
  const start = lines.findIndex((l) => l.trim() === `## ${heading}`)
  if (start < 0) throw new Error(`docs/errors.md has no "## ${heading}" section`)
  const rows: string[][] = []
  for (const line of lines.slice(start + 1)) {
    if (line.startsWith('## ')) break
    if (!line.trim().startsWith('|')) {
      if (rows.length > 0) break
      continue
    }
    const cells = line
      .trim()
      .replace(/^\||\|$/g, '')
      .split(/(?<!\\)\|/)
      .map((c) => c.trim().replace(/\\([\\|<>*_`[\]])/g, '$1'))
    rows.push(cells)
  }
  // Drop the header and the |---| separator.
  return rows.filter((cells) => !cells.every((c) => /^:?-+:?$/.test(c))).slice(1)
}

const markdown = readFileSync(DOC, 'utf8')

describe('docs/errors.md', () => {
  const rows = tableUnder(markdown, 'Error codes')
  const byCode = new Map(rows.map((cells) => [cells[0]!.replace(/`/g, ''), cells]))

  it('has three columns in every row: code | meaning | how to fix', () => {
    for (const cells of rows) expect(cells, cells.join(' | ')).toHaveLength(3)
  })

  it('lists each code once', () => {
    expect(byCode.size).toBe(rows.length)
  })

  it('lists exactly the codes in src/core/error-codes.ts', () => {
    expect([...byCode.keys()].sort()).toEqual(Object.keys(ERROR_CODES).sort())
  })

  it.each(Object.entries(ERROR_CODES))('%s has the same meaning and fix as the code table', (code, { meaning, hint }) => {
    const cells = byCode.get(code)
    expect(cells, `${code} is missing from docs/errors.md`).toBeDefined()
    expect(cells![1]).toBe(meaning)
    expect(cells![2]).toBe(hint)
  })

  it('lists the CLI exit codes, never renumbered', () => {
    const exits = new Map(tableUnder(markdown, 'CLI exit codes').map((cells) => [Number(cells[0]), cells[1]]))
    expect(exits).toEqual(
      new Map([
        [0, 'ok'],
        [1, 'runtime failure'],
        [2, 'invalid input'],
        [3, 'thresholds failed'],
        [130, 'interrupted'],
      ]),
    )
  })
})
