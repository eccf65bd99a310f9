import { defineConfig } from 'vitest/config'

// One process per test file (forks: real sockets and brokers in test/integration get a clean process),
// at most two at a time — these machines have 2 cores, and an integration file with a broker and a
// few hundred clients can use a whole core by itself. Use `vitest run --maxWorkers=1` to serialise.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
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
