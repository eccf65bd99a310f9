import { pathToFileURL } from 'node:url'
import type { Browser } from 'playwright-core'

/** What a rendered report.html looks like in the browser: one entry per svg.plot, plus what went wrong. */
export interface ReportPageCheck {
  title: string
  plots: { plot: string; width: number; height: number; paths: { series: string; length: number }[] }[]
  /** Fault bands as drawn: fault id and on-screen width (px). */
  bands: { plot: string; fault: string; width: number }[]
  notes: string[]
  problems: string[]
}

// Plain JS in a string, not a function: vitest and tsx rewrite functions (esbuild's __name helper),
// and a rewritten function would throw inside the page, where the helper does not exist.
const IN_PAGE = `(() => {
  const plots = [...document.querySelectorAll('svg.plot')].map((svg) => {
    const box = svg.getBoundingClientRect()
    return {
      plot: svg.dataset.plot,
      width: Math.round(box.width),
      height: Math.round(box.height),
      paths: [...svg.querySelectorAll('path[data-series]')].map((p) => ({ series: p.dataset.series, length: Math.round(p.getTotalLength()) })),
    }
  })
  const bands = [...document.querySelectorAll('svg.plot g.fault')].map((g) => ({
    plot: g.closest('svg').dataset.plot,
    fault: g.dataset.fault,
    width: Math.round(g.querySelector('rect').getBoundingClientRect().width),
  }))
  const notes = [...document.querySelectorAll('p.empty')].map((p) => p.textContent)
  return { plots, bands, notes }
})()`

/**
 * Opens report.html in Chromium and checks it the way a reader's browser would: no console error or
 * warning, no page error, no request beyond the file itself (self-contained), every plot drawn with
 * a box and every data path with a length. Optionally saves a full-page screenshot.
 */
export async function checkReportPage(browser: Browser, file: string, screenshot?: string): Promise<ReportPageCheck> {
  const problems: string[] = []
  const page = await browser.newPage({ viewport: { width: 1060, height: 900 } })
  try {
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`)
    })
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`))
    const url = pathToFileURL(file).href
    page.on('request', (r) => {
      if (r.url() !== url) problems.push(`request beyond the file: ${r.url()}`)
    })
    const response = await page.goto(url, { waitUntil: 'load' })
    if (!response?.ok()) problems.push(`could not open ${url}`)
    const seen = (await page.evaluate(IN_PAGE)) as Omit<ReportPageCheck, 'title' | 'problems'>
    if (screenshot) await page.screenshot({ path: screenshot, fullPage: true })
    if (seen.plots.length === 0) problems.push('no svg.plot in the page')
    for (const p of seen.plots) {
      if (p.width === 0 || p.height === 0) problems.push(`${p.plot}: empty bounding box`)
      if (p.paths.length === 0) problems.push(`${p.plot}: no data path`)
      for (const s of p.paths) if (s.length === 0 && !p.plot.endsWith('-distribution')) problems.push(`${p.plot}: path ${s.series} has zero length`)
      if (p.plot.endsWith('-distribution') && !p.paths.some((s) => s.length > 0)) problems.push(`${p.plot}: no bar drawn`)
    }
    for (const b of seen.bands) if (b.width <= 0) problems.push(`${b.plot}: fault band ${b.fault} has zero width`)
    return { title: await page.title(), ...seen, problems }
  } finally {
    await page.close()
  }
}
