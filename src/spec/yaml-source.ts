import { readFileSync } from 'node:fs'
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml'
import { errors, type SpecProblem } from '../core/index.js'

export type FieldPath = readonly PropertyKey[]

/** A parsed YAML file that remembers where every field came from, so problems can say file:line:col. */
export interface YamlSource {
  file: string
  data: unknown
  /** Line/column (1-based) of the value at `path`, or of its key when `at: 'key'`; nearest existing parent otherwise. */
  position(path: FieldPath, at?: 'key' | 'value'): { line: number; column: number }
}

/** Reads and parses a YAML file; a syntax error lists every problem with its line. */
export function readYamlFile(file: string): YamlSource {
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (e) {
    throw errors.fileNotFound('file', file, undefined, e)
  }
  return parseYaml(text, file)
}

export function parseYaml(text: string, file: string): YamlSource {
  const lineCounter = new LineCounter()
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true })
  if (doc.errors.length > 0) {
    const problems: SpecProblem[] = doc.errors.map((e) => {
      const pos = lineCounter.linePos(e.pos[0])
      return { file, line: pos.line, column: pos.col, path: '', message: firstLine(e.message), hint: 'fix the YAML syntax here' }
    })
    throw errors.yamlSyntax(file, problems)
  }
  const data: unknown = doc.toJS({ maxAliasCount: 100 })
  return {
    file,
    data,
    position: (path, at = 'value') => {
      const offset = locate(doc, path, at)
      const pos = lineCounter.linePos(offset)
      return { line: pos.line, column: pos.col }
    },
  }
}

function firstLine(message: string): string {
  return message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '')
}

/** Walks the YAML node tree along `path`, falling back to the deepest node that exists. */
function locate(doc: Document, path: FieldPath, at: 'key' | 'value'): number {
  let node: Node | null | undefined = doc.contents as Node | null
  let best = node?.range?.[0] ?? 0
  for (let i = 0; i < path.length && node; i++) {
    const seg = path[i]
    const last = i === path.length - 1
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(seg))
      if (!pair) break
      const keyNode = pair.key as Node
      best = keyNode.range?.[0] ?? best
      if (last && at === 'key') return best
      node = pair.value as Node | null
      if (node?.range) best = node.range[0]
    } else if (isSeq(node) && typeof seg === 'number') {
      const item = node.items[seg] as Node | undefined
      if (!item) break
      node = item
      if (node.range) best = node.range[0]
    } else break
  }
  return best
}
