/**
 * The script for a worker thread whose entry module is `name` beside `moduleUrl` (a module's
 * `import.meta.url`): the compiled one, or — running from the TypeScript sources (tests, tsx) — the
 * source one behind tsx's loader, registered in the worker first (Node 20 does not apply a parent's
 * `--import` hooks to a worker's entry module).
 */
export function workerScript(moduleUrl: string, name: string): { script: string | URL; eval: boolean } {
  if (!moduleUrl.endsWith('.ts')) return { script: new URL(`./${name}.js`, moduleUrl), eval: false }
  const entry = new URL(`./${name}.ts`, moduleUrl).href
  return { script: `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(entry)}) })`, eval: true }
}
