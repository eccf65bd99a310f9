import { join } from 'node:path'

/** Default output folder: `runs/<fleet name>-<UTC time>/`, e.g. runs/quickstart-20261122T101500Z. */
export function defaultRunFolder(fleetName: string, startedAtMs: number, base = 'runs'): string {
  const stamp = new Date(startedAtMs).toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')
  return join(base, `${fleetName}-${stamp}`)
}

export const RUN_FILES = {
  faultLog: 'faults.jsonl',
  summary: 'summary.json',
} as const
