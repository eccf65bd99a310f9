// `npm run bench`: builds, then runs every benchmark in turn. Benchmarks measure speed and memory;
// they are not tests (tests check behaviour). See bench/README.md for figures and how to read them.
import { execFileSync } from 'node:child_process'

const benches = [
  ['quickstart.mjs', []],
  ['dataset-speed.mjs', []],
]
execFileSync('npm', ['run', 'build', '--silent'], { stdio: 'inherit' })
for (const [file, args] of benches) {
  console.log(`\n== bench/${file} ${args.join(' ')}`)
  execFileSync(process.execPath, [`bench/${file}`, ...args], { stdio: 'inherit' })
}
