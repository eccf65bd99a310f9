import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { renderReportHtml } from '../../../src/outputs/report/report-html.js'
import { writeReport } from '../../../src/outputs/report/write-report.js'
import { quietReport, soakReport } from '../../helpers/report-fixture.js'
import { cli, tmp } from './cli-helpers.js'

describe('fleet-emu report', () => {
  it('re-renders report.html next to report.json, prints the path and the verdict, and exits 0 even for a failed verdict', async () => {
    const dir = tmp('report')
    const { json, html } = writeReport(dir, soakReport())
    writeFileSync(html, 'stale')
    const run = cli(['report', json])
    expect((await run.exit).code).toBe(0)
    expect(readFileSync(html, 'utf8')).toBe(renderReportHtml(soakReport()))
    expect(run.stdout()).toBe(`${html}\nverdict: FAIL — 2 of 5 thresholds failed (reconnect_p95, loss_rate) · complete, 10000 devices, 30m\n`)
    expect(run.stderr()).toBe('')
  })

  it('writes to --out, creating its folder', async () => {
    const dir = tmp('report-out')
    const { json } = writeReport(dir, quietReport())
    const out = join(dir, 'pages', 'quiet.html')
    const run = cli(['report', json, '--out', out])
    expect((await run.exit).code).toBe(0)
    expect(readFileSync(out, 'utf8')).toBe(renderReportHtml(quietReport()))
    expect(run.stdout()).toContain('verdict: none — no thresholds declared')
  })

  it('exits 2 for a JSON file that is not a report, naming the file, with a hint and no stack trace', async () => {
    const dir = tmp('report-bad')
    const file = join(dir, 'summary.json')
    writeFileSync(file, JSON.stringify({ status: 'complete', devices: 10 }))
    const run = cli(['report', file])
    expect((await run.exit).code).toBe(2)
    const err = run.stderr()
    expect(err).toContain(`fleet-emu: ${file} is not a fleet-emu run report: it has no "reportVersion" field`)
    expect(err).toContain('  hint: Pass the report.json a soak run wrote into its run folder')
    expect(err).toContain('(FLEET_ERR_SPEC_NOT_A_REPORT)')
    expect(err).not.toMatch(/\n\s+at /)
    expect(existsSync(join(dir, 'report.html'))).toBe(false)
  })

  it('exits 2 for a missing file', async () => {
    const file = join(tmp('report-missing'), 'report.json')
    const run = cli(['report', file])
    expect((await run.exit).code).toBe(2)
    expect(run.stderr()).toContain(`fleet-emu: run report not found: ${file}`)
    expect(run.stderr()).toContain('(FLEET_ERR_SPEC_FILE_NOT_FOUND)')
    expect(run.stderr()).not.toMatch(/\n\s+at /)
  })
})
