'use strict'
/**
 * A tiny import resolver (eslint-module-utils interface v2) for eslint-plugin-boundaries.
 *
 * Why not eslint-import-resolver-node: with NodeNext, `./clock.js` in a .ts file names `./clock.ts`,
 * which the node resolver cannot find, and an unresolved import is invisible to the layer rule.
 *
 * Relative imports are resolved by path: `.js` → `.ts` (then `.tsx`, `.d.ts`, `.js`), `.mjs` → `.mts`,
 * `.cjs` → `.cts`. When no candidate exists on disk (a file being written, or code linted from memory
 * with `lintText`), the would-be `.ts` path is returned anyway: the layer rule only needs to know where
 * an import points, and tsc reports imports of files that do not exist.
 * Bare specifiers resolve as Node does; builtins resolve to `null` (core modules).
 */
const fs = require('node:fs')
const path = require('node:path')
const { createRequire, isBuiltin } = require('node:module')

const EXTENSION_ALIASES = {
  '.js': ['.ts', '.tsx', '.d.ts', '.js'],
  '.mjs': ['.mts', '.d.mts', '.mjs'],
  '.cjs': ['.cts', '.d.cts', '.cjs'],
}
const BARE_EXTENSIONS = ['', '.ts', '.tsx', '.js', '/index.ts', '/index.js']

function isFile(p) {
  try {
    return fs.statSync(p).isFile()
  } catch {
    return false
  }
}

function candidates(abs) {
  const ext = path.extname(abs)
  const aliases = EXTENSION_ALIASES[ext]
  if (aliases) {
    const stem = abs.slice(0, -ext.length)
    return aliases.map((a) => stem + a)
  }
  return BARE_EXTENSIONS.map((e) => abs + e)
}

function resolveLocal(source, file) {
  const abs = path.resolve(path.dirname(file), source)
  const list = candidates(abs)
  const found = list.find(isFile)
  if (found) return { found: true, path: found }
  // Path-based fallback (see above): classify by where the import points.
  const ext = path.extname(abs)
  return { found: true, path: EXTENSION_ALIASES[ext] ? list[0] : abs }
}

function resolvePackage(source, file) {
  const req = createRequire(file)
  try {
    return { found: true, path: req.resolve(source) }
  } catch {
    // ESM-only packages ("exports" without a "require" condition): fall back to the package folder.
    const name = source.startsWith('@') ? source.split('/').slice(0, 2).join('/') : source.split('/')[0]
    try {
      return { found: true, path: req.resolve(`${name}/package.json`) }
    } catch {
      return { found: false }
    }
  }
}

exports.interfaceVersion = 2

exports.resolve = function resolve(source, file) {
  if (isBuiltin(source)) return { found: true, path: null }
  if (source.startsWith('.') || path.isAbsolute(source)) return resolveLocal(source, file)
  return resolvePackage(source, file)
}
