// Acceptance 6 of the dataset issue: preview.html opens in a browser and shows the plots. Opens a
// preview in Debian's Chromium (headless, through playwright-core; no browser is downloaded) and
// checks, in the rendered page: one chart per series, each with a drawn reported and clean line
// (non-empty SVG path with a length and a box), shaded anomaly windows of non-zero width, no console
// error, no page error, and no request beyond the file itself (the page is self-contained). Saves a
// screenshot to look at.
//
//   npm run build && node bench/preview-check.mjs                     # a generated demo preview
//   node bench/preview-check.mjs --file data/run1/preview.html        # a dataset's own preview
//   options: --screenshot out.png (default: a temp file)  --chromium /usr/bin/chromium
//
// Needs Chromium: `apt-get install -y chromium`. Exits 1 when a check fails.
import { existsSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { chromium } from 'playwright-core'

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`)
  return i >= 0 ? process.argv[i + 1] : fallback
}
const work = mkdtempSync(join(tmpdir(), 'fleet-emu-preview-check-'))
const executablePath = arg('chromium', '/usr/bin/chromium')
const screenshot = resolve(arg('screenshot', join(work, 'preview.png')))
if (!existsSync(executablePath)) {
  console.error(`no Chromium at ${executablePath}: apt-get install -y chromium (or pass --chromium <path>)`)
  process.exit(1)
}

/** A week of one-minute samples for three series, with drops, a NaN and windows of several types. */
async function demoPreview(file) {
  const built = new URL('../dist/src/outputs/dataset/preview.js', import.meta.url)
  if (!existsSync(built)) {
    console.error('dist/ is missing: run `npm run build` first (or pass --file)')
    process.exit(1)
  }
  const { writePreview } = await import(built.href)
  const t0 = Date.UTC(2026, 0, 5)
  const MIN = 60_000
  const n = 7 * 24 * 60
  let x = 7
  const noise = () => ((x = (x * 48271) % 2147483647) / 2147483647 - 0.5) * 0.4
  const series = (device, sensor, base, amp, fault) => ({
    device,
    sensor,
    points: Array.from({ length: n }, (_, i) => {
      const clean = base + amp * Math.sin((2 * Math.PI * i) / 1440) + noise()
      return [t0 + i * MIN, fault(i, clean), clean]
    }),
  })
  const input = {
    title: 'fleet-emu preview check <demo> & co',
    series: [
      series('thermo-0001', 'temperature', 21, 3, (i, c) => (i >= 2000 && i < 2600 ? 24.5 : i % 997 === 0 ? null : c)),
      series('thermo-0001', 'humidity', 45, 8, (i, c) => (i >= 5000 && i < 7000 ? c + (i - 5000) * 0.01 : c)),
      series('gateway-ü-03', 'pressure', 1013, 4, (i, c) => (i === 8000 ? Number.NaN : i === 8500 ? c + 40 : i >= 9000 && i < 9300 ? null : c)),
    ],
    windows: [
      { anomaly_id: 'a-0001', device: 'thermo-0001', sensor: 'temperature', start_ms: t0 + 2000 * MIN, end_ms: t0 + 2600 * MIN, type: 'stuck' },
      { anomaly_id: 'a-0002', device: 'thermo-0001', sensor: 'humidity', start_ms: t0 + 5000 * MIN, end_ms: t0 + 7000 * MIN, type: 'drift' },
      { anomaly_id: 'a-0003', device: 'gateway-ü-03', start_ms: t0 + 8500 * MIN, end_ms: t0 + 8501 * MIN, type: 'point-global' },
      { anomaly_id: 'a-0004', device: 'gateway-ü-03', start_ms: t0 + 9000 * MIN, end_ms: t0 + 9300 * MIN, type: 'dropout' },
    ],
  }
  writePreview(file, input)
  return { series: input.series.length, windows: 4 }
}

const given = arg('file')
const file = resolve(given ?? join(work, 'preview.html'))
const expected = given ? undefined : await demoPreview(file)

const browser = await chromium.launch({
  executablePath,
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run'],
})
const problems = []
try {
  const page = await browser.newPage({ viewport: { width: 1040, height: 900 } })
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`)
  })
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`))
  const pageUrl = pathToFileURL(file).href
  page.on('request', (r) => {
    if (r.url() !== pageUrl) problems.push(`request beyond the file: ${r.url()}`)
  })
  const response = await page.goto(pageUrl, { waitUntil: 'load' })
  if (!response?.ok()) problems.push(`could not open ${pageUrl}`)

  const charts = await page.$$eval('section.chart', (sections) =>
    sections.map((s) => {
      const drawn = (sel) => {
        const el = s.querySelector(sel)
        if (!el) return null
        const box = el.getBBox()
        return { length: Math.round(el.getTotalLength()), width: Math.round(box.width), height: Math.round(box.height) }
      }
      return {
        name: s.querySelector('h2')?.textContent ?? '',
        svg: !!s.querySelector('svg'),
        reported: drawn('path.reported'),
        clean: drawn('path.clean'),
        windows: [...s.querySelectorAll('g.window rect')].map((r) => Math.round(r.getBoundingClientRect().width)),
        labels: [...s.querySelectorAll('g.window text')].map((t) => t.textContent),
      }
    }),
  )
  const title = await page.title()
  await page.screenshot({ path: screenshot, fullPage: true })

  if (charts.length === 0) problems.push('no chart in the page')
  for (const c of charts) {
    if (!c.svg) problems.push(`${c.name}: no <svg>`)
    for (const line of ['reported', 'clean']) {
      const d = c[line]
      if (!d || d.length === 0 || d.width === 0) problems.push(`${c.name}: ${line} line not drawn (${JSON.stringify(d)})`)
    }
    if (c.windows.some((w) => w <= 0)) problems.push(`${c.name}: a window of zero width`)
  }
  if (expected) {
    if (charts.length !== expected.series) problems.push(`expected ${expected.series} charts, got ${charts.length}`)
    const windows = charts.reduce((n, c) => n + c.windows.length, 0)
    if (windows !== expected.windows) problems.push(`expected ${expected.windows} shaded windows, got ${windows}`)
    if (title !== 'fleet-emu preview check <demo> & co') problems.push(`title not unescaped as text: ${title}`)
  }
  console.log(JSON.stringify({ file, chromium: browser.version(), title, charts, screenshot, problems }, null, 2))
} finally {
  await browser.close()
}
if (problems.length > 0) {
  console.error(`preview check FAILED:\n  ${problems.join('\n  ')}`)
  process.exit(1)
}
console.log(`preview check ok: ${file}`)
