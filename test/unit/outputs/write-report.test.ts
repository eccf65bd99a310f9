import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { readReport, writeReport, writeReportHtml } from '../../../src/outputs/report/write-report.js'
import { renderReportHtml } from '../../../src/outputs/report/report-html.js'
import { expectFleetError } from '../../helpers/expect-fleet-error.js'
import { soakReport } from '../../helpers/report-fixture.js'

const dir = mkdtempSync(join(tmpdir(), 'fleet-emu-write-report-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

function file(name: string, content: string): string {
  const f = join(dir, name)
  writeFileSync(f, content)
  return f
}

describe('writeReport / readReport', () => {
  it('writes report.json (2-space) and report.html, leaves no temp file, and reads the JSON back', () => {
    const out = join(dir, 'run-1')
    const report = soakReport()
    const paths = writeReport(out, report)
    expect(paths).toEqual({ json: join(out, 'report.json'), html: join(out, 'report.html') })
    expect(readdirSync(out).sort()).toEqual(['report.html', 'report.json'])
    const text = readFileSync(paths.json, 'utf8')
    expect(text.startsWith('{\n  "reportVersion": 1,\n  "run": {\n    "fleet": "soak-10k"')).toBe(true)
    expect(text.endsWith('}\n')).toBe(true)
    expect(readReport(paths.json)).toEqual(report)
    expect(readFileSync(paths.html, 'utf8')).toBe(renderReportHtml(report))
  })

  it('replaces an existing page whole', () => {
    const f = file('old.html', 'old page')
    writeReportHtml(f, soakReport())
    expect(readFileSync(f, 'utf8')).toBe(renderReportHtml(soakReport()))
  })

  it('wraps write failures as FLEET_ERR_OUTPUT_WRITE and removes the temp file', () => {
    const blocker = file('not-a-dir', 'x')
    expectFleetError(() => writeReport(join(blocker, 'sub'), soakReport()), 'FLEET_ERR_OUTPUT_WRITE', /cannot write .*not-a-dir\/sub\/report.json/)
    const target = join(dir, 'is-a-dir.html')
    mkdirSync(target)
    expectFleetError(() => writeReportHtml(target, soakReport()), 'FLEET_ERR_OUTPUT_WRITE', /is-a-dir\.html/)
    expect(readdirSync(dir).filter((n) => n.endsWith('.tmp'))).toEqual([])
  })

  it('refuses what is not a report, saying what is wrong', () => {
    expectFleetError(() => readReport(join(dir, 'missing.json')), 'FLEET_ERR_SPEC_FILE_NOT_FOUND', /run report not found: .*missing\.json/)
    expectFleetError(() => readReport(dir), 'FLEET_ERR_SPEC_NOT_A_REPORT', /is not a fleet-emu run report: cannot read it/)
    expectFleetError(() => readReport(file('bad.json', '{"reportVersion": 1,')), 'FLEET_ERR_SPEC_NOT_A_REPORT', /bad\.json is not a fleet-emu run report: not valid JSON/)
    expectFleetError(() => readReport(file('array.json', '[1, 2]')), 'FLEET_ERR_SPEC_NOT_A_REPORT', /top level is not a JSON object/)
    expectFleetError(() => readReport(file('manifest.json', '{"seed": 1, "files": []}')), 'FLEET_ERR_SPEC_NOT_A_REPORT', /no "reportVersion" field/)
    expectFleetError(() => readReport(file('v2.json', JSON.stringify({ ...soakReport(), reportVersion: 2 }))), 'FLEET_ERR_SPEC_NOT_A_REPORT', /reportVersion 2 is not one this fleet-emu reads \(it reads 1\)/)
  })

  it('names every missing or malformed field the page needs', () => {
    const r = soakReport() as unknown as Record<string, unknown>
    delete r.timeline
    ;(r.run as Record<string, unknown>).devices = 'many'
    ;(r.distributions as Record<string, unknown>).reconnectMs = [[1]]
    r.verdict = 'maybe'
    const f = file('broken.json', JSON.stringify(r))
    expectFleetError(() => readReport(f), 'FLEET_ERR_SPEC_NOT_A_REPORT', /missing or malformed: run\.devices, verdict, timeline, distributions$/)
    const points = soakReport()
    ;(points.timeline.points[5] as unknown as Record<string, unknown>).online = null
    expectFleetError(() => readReport(file('points.json', JSON.stringify(points))), 'FLEET_ERR_SPEC_NOT_A_REPORT', /missing or malformed: timeline\.points$/)
  })

  it('reads reports with or without the optional run facts, and refuses them when they are not text', () => {
    const withFacts = { ...soakReport(), run: { ...soakReport().run, heap: '--heap-growth auto:50 --heap-compaction always', nodeFlags: '--max-semi-space-size=8' } }
    expect(readReport(file('facts.json', JSON.stringify(withFacts)))).toEqual(withFacts)
    expect(renderReportHtml(withFacts)).toContain('<dt>heap</dt><dd>--heap-growth auto:50 --heap-compaction always</dd>')
    expect(renderReportHtml(withFacts)).toContain('<dt>node flags</dt><dd>--max-semi-space-size=8</dd>')
    expect(renderReportHtml(soakReport())).not.toContain('<dt>heap</dt>')
    const bad = { ...soakReport(), run: { ...soakReport().run, heap: 50, threads: ['main'] } }
    expectFleetError(() => readReport(file('bad-facts.json', JSON.stringify(bad))), 'FLEET_ERR_SPEC_NOT_A_REPORT', /missing or malformed: run\.threads, run\.heap$/)
  })
})
