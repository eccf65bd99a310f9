import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'

// One process per test file (forks: real sockets and brokers in test/integration get a clean process),
// at most two at a time — these machines have 2 cores, and an integration file with a broker and a
// few hundred clients can use a whole core by itself. Use `vitest run --maxWorkers=1` to serialise.
export default defineConfig({
  // Examples import the package by name, as users do; here that name is the source tree.
  resolve: { alias: { 'fleet-emu': fileURLToPath(new URL('./src/index.ts', import.meta.url)) } },
  test: {
    include: ['test/**/*.test.ts', 'examples/**/*.test.ts'],
    exclude: ['**/node_modules/**', 'dist/**', 'runs/**', 'data/**', 'coverage/**'],
    environment: 'node',
    pool: 'forks',
    fileParallelism: true,
    maxWorkers: 2,
    testTimeout: 20_000,
    hookTimeout: 20_000,
    teardownTimeout: 10_000,
  },
})
