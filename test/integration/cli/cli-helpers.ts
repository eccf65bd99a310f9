import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export const tmp = (prefix: string) => mkdtempSync(join(tmpdir(), `fleet-emu-${prefix}-`))

export interface CliRun {
  child: ChildProcess
  stdout: () => string
  stderr: () => string
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>
}

/** Runs the real CLI (TypeScript sources through tsx) as a child process; `env` adds to this one's. */
export function cli(args: string[], env: Record<string, string> = {}): CliRun {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, FORCE_COLOR: '0', ...env } })
  let out = ''
  let err = ''
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()))
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()))
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('close', (code, signal) => resolve({ code, signal })))
  return { child, stdout: () => out, stderr: () => err, exit }
}

export async function waitForOutput(run: CliRun, pattern: RegExp, timeoutMs = 15_000): Promise<void> {
  const deadline = performance.now() + timeoutMs
  while (!pattern.test(run.stderr() + run.stdout())) {
    if (performance.now() > deadline) throw new Error(`no ${pattern} in output:\n${run.stderr()}\n${run.stdout()}`)
    await new Promise((r) => setTimeout(r, 25))
  }
}
