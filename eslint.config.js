// ESLint flat config. Two jobs beyond style: keep DESIGN.md's layer table true (imports go one way,
// downward), and keep runs reproducible (no wall time, host timers or Math.random outside core/clock).
import { fileURLToPath } from 'node:url'
import { defineConfig } from 'eslint/config'
import js from '@eslint/js'
import tseslint from 'typescript-eslint'
import boundaries from 'eslint-plugin-boundaries'

const root = fileURLToPath(new URL('.', import.meta.url))

/** Layer → the layers it may import (intra-layer imports are always allowed). DESIGN.md, "Layers". */
const LAYERS = {
  core: [],
  spec: ['core'],
  telemetry: ['core', 'spec'],
  transport: ['core'],
  broker: ['core'],
  device: ['core', 'spec', 'telemetry', 'transport'],
  faults: ['core', 'spec', 'telemetry', 'transport', 'device'],
  // fleet/firmware-registry.ts holds the built-in firmware models (firmware-models/index.ts).
  fleet: ['core', 'spec', 'telemetry', 'transport', 'broker', 'device', 'faults', 'observability', 'outputs', 'firmware-models'],
  outputs: ['core', 'spec'],
  observability: ['core'],
  control: ['fleet', 'observability', 'core', 'spec'],
  cli: ['fleet', 'outputs', 'control', 'observability', 'core', 'spec'],
}
const ALL_OURS = [...Object.keys(LAYERS), 'index', 'firmware-models']

const elementsSetting = [
  ...Object.keys(LAYERS).map((layer) => ({ type: layer, pattern: `src/${layer}`, partialMatch: false })),
  { type: 'firmware-models', pattern: 'firmware-models', partialMatch: false },
  { type: 'tests', pattern: 'test', partialMatch: false },
  { type: 'tests', pattern: 'bench', partialMatch: false },
  { type: 'tests', pattern: 'examples', partialMatch: false },
]

// src/index.ts (the public API, re-exports only) is a file, not a folder: classified as a file category.
const filesSetting = [{ category: 'index', pattern: 'src/index.ts' }]

const layerPolicies = [
  ...Object.entries(LAYERS)
    .filter(([, allowed]) => allowed.length > 0)
    .map(([layer, allowed]) => ({
      from: { element: { type: layer } },
      allow: { to: { element: { types: { anyOf: allowed } } } },
    })),
  { from: { file: { categories: 'index' } }, allow: { to: { element: { types: { anyOf: ALL_OURS } } } } },
  // Firmware models are pure: they see only the device kit (and xstate; see no-restricted-imports below).
  {
    from: { element: { type: 'firmware-models' } },
    allow: { to: { element: { type: 'device', fileInternalPath: 'kit.ts' } } },
  },
]

const LAYER_MESSAGE =
  '{{#if from.element.type}}{{from.element.type}}{{else}}this file{{/if}} may not import "{{dependency.source}}" ' +
  '({{#if to.element.type}}{{to.element.type}}{{else}}in no layer{{/if}}): imports go one way, downward — see the layer table in DESIGN.md'

// DESIGN.md, "Time and randomness": all time through a Clock, all randomness through seeded streams.
const WHY_TIME = 'Use the injected Clock (src/core/clock.ts); DESIGN.md "Time and randomness".'
const WHY_RANDOM = 'Use a seeded stream from deriveStream() (src/core/rng.ts); DESIGN.md "Time and randomness".'
const determinismRules = {
  'no-restricted-properties': [
    'error',
    { object: 'Math', property: 'random', message: `No Math.random(). ${WHY_RANDOM}` },
    { object: 'Date', property: 'now', message: `No Date.now(). ${WHY_TIME}` },
    { object: 'performance', property: 'now', message: `No performance.now(); use monotonicMs() from core/clock. ${WHY_TIME}` },
    { object: 'process', property: 'hrtime', message: `No process.hrtime(); use monotonicMs() from core/clock. ${WHY_TIME}` },
    { object: 'globalThis', property: 'setTimeout', message: `No host timers. ${WHY_TIME}` },
    { object: 'globalThis', property: 'setInterval', message: `No host timers. ${WHY_TIME}` },
    { object: 'globalThis', property: 'Date', message: `No wall time. ${WHY_TIME}` },
  ],
  'no-restricted-globals': [
    'error',
    { name: 'setTimeout', message: `No global setTimeout; use clock.setTimeout. ${WHY_TIME}` },
    { name: 'setInterval', message: `No setInterval; re-arm clock.setTimeout. ${WHY_TIME}` },
  ],
  'no-restricted-syntax': [
    'error',
    { selector: "NewExpression[callee.name='Date'][arguments.length=0]", message: `No new Date() (wall time); pass clock.now(). ${WHY_TIME}` },
  ],
  'no-restricted-imports': [
    'error',
    {
      paths: ['timers', 'node:timers', 'timers/promises', 'node:timers/promises'].map((name) => ({
        name,
        message: `No host timers. ${WHY_TIME}`,
      })),
    },
  ],
}

export default defineConfig([
  { ignores: ['dist/', 'node_modules/', 'runs/', 'data/', 'coverage/'] },

  js.configs.recommended,
  {
    languageOptions: {
      globals: {
        console: 'readonly',
        process: 'readonly',
        Buffer: 'readonly',
        URL: 'readonly',
        performance: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        setInterval: 'readonly',
        clearInterval: 'readonly',
        setImmediate: 'readonly',
        queueMicrotask: 'readonly',
        structuredClone: 'readonly',
        AbortController: 'readonly',
        AbortSignal: 'readonly',
        TextEncoder: 'readonly',
        TextDecoder: 'readonly',
        globalThis: 'readonly',
      },
    },
  },
  {
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { require: 'readonly', module: 'writable', exports: 'writable', __dirname: 'readonly' } },
  },

  // typescript-eslint recommended (not type-checked: keeps lint fast).
  ...tseslint.configs.recommended.map((config) => ({ ...config, files: ['**/*.{ts,mts,cts}'] })),
  {
    files: ['**/*.{ts,mts,cts}'],
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_' }],
    },
  },

  // The layer table. Only src/ and firmware-models/ are checked: test/, bench/ and examples/ may import
  // anything, but they are still classified (as "tests") so that nothing in src/ can import them.
  {
    files: ['src/**', 'firmware-models/**'],
    plugins: { boundaries },
    settings: {
      'boundaries/root-path': root,
      'boundaries/elements': elementsSetting,
      'boundaries/files': filesSetting,
      'boundaries/include': ['src/**', 'firmware-models/**', 'test/**', 'bench/**', 'examples/**'],
      'import/resolver': { [`${root}eslint.resolver.cjs`]: {} },
    },
    rules: {
      'boundaries/dependencies': [
        'error',
        { default: 'disallow', checkUnknownLocals: true, message: LAYER_MESSAGE, policies: layerPolicies },
      ],
    },
  },
  {
    files: ['src/**', 'firmware-models/**'],
    rules: { 'boundaries/no-unknown-files': 'error' },
  },

  // Reproducibility.
  { files: ['src/**', 'firmware-models/**'], ignores: ['src/core/clock.ts'], rules: determinismRules },
  {
    // Firmware models are pure machines: xstate and the kit only, no I/O.
    files: ['firmware-models/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: determinismRules['no-restricted-imports'][1].paths,
          patterns: [
            {
              regex: '^(?!xstate$|\\.)',
              message: 'Firmware models import only xstate and the device kit (src/device/kit.ts); DESIGN.md "Layers".',
            },
          ],
        },
      ],
    },
  },
])
