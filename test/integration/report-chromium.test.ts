import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { chromium, type Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { writeReport } from '../../src/outputs/report/write-report.js'
import { partialReport, quietReport, soakReport } from '../helpers/report-fixture.js'
import { checkReportPage } from '../helpers/report-page.js'

// Debian's Chromium, driven by playwright-core (no browser download). Not skipped when missing:
// .ci/run installs it (`apt-get install -y chromium`), and a report nobody checked in a browser is
// exactly what this test exists to prevent.
const CHROMIUM = process.env.FLEET_EMU_CHROMIUM ?? '/usr/bin/chromium'

const dir = mkdtempSync(join(tmpdir(), 'fleet-emu-report-chromium-'))
let browser: Browser

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM}: apt-get install -y chromium (or set FLEET_EMU_CHROMIUM)`)
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run'] })
}, 30_000)

afterAll(async () => {
  await browser?.close()
  rmSync(dir, { recursive: true, force: true })
})

describe('report.html in Chromium', () => {
  it('renders the 30-minute soak: no errors, nothing fetched, every plot and data path drawn, fault bands visible', async () => {
    const { html } = writeReport(join(dir, 'soak'), soakReport())
    const page = await checkReportPage(browser, html)
    expect(page.problems).toEqual([])
    expect(page.title).toBe('soak-10k — fleet-emu soak report')
    expect(page.plots.map((p) => p.plot)).toEqual(['devices', 'messages', 'latency', 'reconnect-distribution', 'connect-distribution', 'latency-distribution', 'memory', 'event-loop-lag', 'cpu'])
    for (const p of page.plots) {
      expect(p.width, p.plot).toBeGreaterThan(500)
      expect(p.height, p.plot).toBeGreaterThan(100)
      expect(Math.max(...p.paths.map((s) => s.length)), p.plot).toBeGreaterThan(100)
    }
    const devices = page.plots.find((p) => p.plot === 'devices')!
    expect(devices.paths.map((s) => s.series)).toEqual(['online', 'connecting', 'offline'])
    for (const s of devices.paths) expect(s.length, s.series).toBeGreaterThan(0)
    const bands = page.bands.filter((b) => b.plot === 'devices')
    expect(bands.map((b) => b.fault).sort()).toEqual(['broker-restart-at-20m', 'disconnect-storm', 'slow-uplink'])
    for (const b of bands) expect(b.width, b.fault).toBeGreaterThanOrEqual(2)
    // 2 of 30 minutes on a ~890 px axis: ~59 px.
    expect(bands.find((b) => b.fault === 'slow-uplink')!.width).toBeGreaterThan(50)
  })

  it('renders a run without reconnects (a note instead of the histogram) and a partial run', async () => {
    const quiet = await checkReportPage(browser, writeReport(join(dir, 'quiet'), quietReport()).html)
    expect(quiet.problems).toEqual([])
    expect(quiet.plots.map((p) => p.plot)).not.toContain('reconnect-distribution')
    expect(quiet.notes).toEqual(['no reconnects in this run: no fault took a device offline'])
    expect(quiet.bands).toEqual([])

    const partial = await checkReportPage(browser, writeReport(join(dir, 'partial'), partialReport()).html)
    expect(partial.problems).toEqual([])
    expect(partial.title).toBe('soak-10k — fleet-emu soak report (partial)')
    expect(partial.bands.filter((b) => b.plot === 'devices').map((b) => b.fault)).toEqual(['disconnect-storm'])
  })
})
