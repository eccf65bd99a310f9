// Issue 6: report.html opens in a browser and shows the plots. Renders a soak report (a fixture, or a
// run's own report.json) and opens it in Debian's Chromium (headless, through playwright-core; no
// browser is downloaded), with the same checks as test/integration/report-chromium.test.ts: no
// console error, no page error, no request beyond the file, every plot with a box and every data
// path with a length, fault bands drawn. Saves a full-page screenshot to look at.
//
//   node --import tsx bench/report-check.mjs                                  # the 30-minute fixture
//   node --import tsx bench/report-check.mjs --variant partial                # soak | quiet | partial | long
//   node --import tsx bench/report-check.mjs --file runs/soak-…/report.json   # a run's report (re-rendered)
//   node --import tsx bench/report-check.mjs --file runs/soak-…/report.html   # a page as written
//   options: --screenshot out.png (default: a temp file)  --chromium /usr/bin/chromium
//
// Needs Chromium: `apt-get install -y chromium`. Exits 1 when a check fails.
import { existsSync, mkdtempSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { chromium } from 'playwright-core'
import { longReport, partialReport, quietReport, soakReport } from '../test/helpers/report-fixture.ts'
import { checkReportPage } from '../test/helpers/report-page.ts'
import { readReport, writeReport, writeReportHtml } from '../src/outputs/report/index.ts'

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`)
  return i >= 0 ? process.argv[i + 1] : fallback
}
const work = mkdtempSync(join(tmpdir(), 'fleet-emu-report-check-'))
const executablePath = arg('chromium', '/usr/bin/chromium')
const screenshot = resolve(arg('screenshot', join(work, 'report.png')))
if (!existsSync(executablePath)) {
  console.error(`no Chromium at ${executablePath}: apt-get install -y chromium (or pass --chromium <path>)`)
  process.exit(1)
}

const VARIANTS = { soak: soakReport, quiet: quietReport, partial: partialReport, long: () => longReport(8) }
let file
const given = arg('file')
if (given?.endsWith('.html')) file = resolve(given)
else if (given) file = writeReportHtml(join(work, 'report.html'), readReport(given))
else {
  const variant = arg('variant', 'soak')
  if (!VARIANTS[variant]) {
    console.error(`unknown --variant ${variant}: one of ${Object.keys(VARIANTS).join(', ')}`)
    process.exit(1)
  }
  file = writeReport(work, VARIANTS[variant]()).html
}

const browser = await chromium.launch({ executablePath, headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run'] })
let result
try {
  result = await checkReportPage(browser, file, screenshot)
} finally {
  await browser.close()
}
console.log(JSON.stringify({ file, bytes: statSync(file).size, chromium: browser.version(), screenshot, ...result }, null, 2))
if (result.problems.length > 0) {
  console.error(`report check FAILED:\n  ${result.problems.join('\n  ')}`)
  process.exit(1)
}
console.log(`report check ok: ${file}`)
