import type { Command } from 'commander'
import { formatProblem, isFleetError, type SpecProblem } from '../../core/index.js'
import { checkProfileFile, loadFleet } from '../../fleet/index.js'
import { readYamlFile } from '../../spec/index.js'
import { EXIT } from '../exit-codes.js'

/** Fleet file or device profile? By suffix first, then by content. */
function kindOf(file: string): 'fleet' | 'device' {
  if (file.endsWith('.fleet.yaml') || file.endsWith('.fleet.yml')) return 'fleet'
  if (file.endsWith('.device.yaml') || file.endsWith('.device.yml')) return 'device'
  const data = readYamlFile(file).data as Record<string, unknown> | null
  return data && typeof data === 'object' && 'groups' in data ? 'fleet' : 'device'
}

export function registerValidate(program: Command, setExit: (code: number) => void): void {
  program
    .command('validate')
    .description('check fleet files and device profiles; lists every problem with file:line and a hint')
    .argument('<files...>', 'fleet files (*.fleet.yaml) and device profiles (*.device.yaml)')
    .option('--json', 'print problems as JSON')
    .action((files: string[], flags: { json?: boolean }) => setExit(validateCommand(files, flags)))
}

function validateCommand(files: string[], flags: { json?: boolean }): number {
  const problems: SpecProblem[] = []
  for (const file of files) {
    try {
      if (kindOf(file) === 'fleet') loadFleet(file)
      else {
        const r = checkProfileFile(file)
        if (!r.ok) problems.push(...r.problems)
      }
    } catch (e) {
      if (!isFleetError(e)) throw e
      if (e.problems.length > 0) problems.push(...e.problems)
      else problems.push({ file, path: '', message: e.message, hint: e.hint })
    }
  }
  if (flags.json) process.stdout.write(JSON.stringify({ ok: problems.length === 0, problems }, null, 2) + '\n')
  else if (problems.length === 0) process.stdout.write(`ok: ${files.length} file${files.length === 1 ? '' : 's'} valid\n`)
  else process.stderr.write(`${problems.map(formatProblem).join('\n')}\n${problems.length} problem${problems.length === 1 ? '' : 's'} found\n`)
  return problems.length === 0 ? EXIT.ok : EXIT.invalidInput
}
