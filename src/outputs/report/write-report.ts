import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { errors, messageOf } from '../../core/index.js'
import { renderReportHtml } from './report-html.js'
import type { RunReport } from './report-types.js'

export const REPORT_FILES = { json: 'report.json', html: 'report.html' } as const

/**
 * Writes through a temporary file in the same folder and renames it over the target: a rename is
 * atomic, so a run killed mid-write leaves the previous file or the new one, never half of one.
 */
function writeAtomic(file: string, data: string): void {
  const tmp = `${file}.${process.pid}.tmp`
  try {
    mkdirSync(dirname(file), { recursive: true })
    writeFileSync(tmp, data)
    renameSync(tmp, file)
  } catch (e) {
    try {
      rmSync(tmp, { force: true })
    } catch {
      // The folder itself is what failed (not a directory, not writable): there is no temp file.
    }
    throw errors.outputWrite(file, e)
  }
}

/**
 * Writes `report.json` (2-space JSON) and `report.html` (see {@link renderReportHtml}) into `dir`.
 * The JSON goes first: it is the record, the page can always be rendered again from it.
 *
 * @example
 * const { html } = writeReport('runs/soak-20260105T101500Z', report)
 */
export function writeReport(dir: string, report: RunReport): { json: string; html: string } {
  const json = join(dir, REPORT_FILES.json)
  const html = join(dir, REPORT_FILES.html)
  writeAtomic(json, JSON.stringify(report, null, 2) + '\n')
  writeAtomic(html, renderReportHtml(report))
  return { json, html }
}

/** Renders `report` into one HTML file (what `fleet-emu report` does). */
export function writeReportHtml(file: string, report: RunReport): string {
  writeAtomic(file, renderReportHtml(report))
  return file
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)
const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v)
const isString = (v: unknown): v is string => typeof v === 'string'
const isNumberOrNull = (v: unknown) => v === null || isNumber(v)
const isBuckets = (v: unknown) => Array.isArray(v) && v.every((b) => Array.isArray(b) && b.length === 2 && isNumber(b[0]) && isNumber(b[1]))

/** What the renderer relies on, field by field: [path, check]. */
const SHAPE: [string, (r: Record<string, unknown>) => boolean][] = [
  ['run', (r) => isObject(r.run)],
  ...(['fleet', 'file', 'startedAt', 'endedAt', 'brokerUrl', 'links', 'emulatorVersion', 'node'] as const).map(
    (k) => [`run.${k}`, (r: Record<string, unknown>) => !isObject(r.run) || isString(r.run[k])] as [string, (r: Record<string, unknown>) => boolean],
  ),
  ...(['seed', 'devices', 'plannedDurationMs', 'elapsedMs', 'speed', 'cpus'] as const).map(
    (k) => [`run.${k}`, (r: Record<string, unknown>) => !isObject(r.run) || isNumber(r.run[k])] as [string, (r: Record<string, unknown>) => boolean],
  ),
  ...(['threads', 'heap', 'nodeFlags'] as const).map(
    (k) => [`run.${k}`, (r: Record<string, unknown>) => !isObject(r.run) || r.run[k] === undefined || isString(r.run[k])] as [string, (r: Record<string, unknown>) => boolean],
  ),
  ['run.status', (r) => !isObject(r.run) || ['complete', 'stopped', 'interrupted'].includes(r.run.status as string)],
  ['run.partial', (r) => !isObject(r.run) || typeof r.run.partial === 'boolean'],
  ['slis', (r) => isObject(r.slis) && Object.values(r.slis).every(isNumberOrNull)],
  ['thresholds', (r) => Array.isArray(r.thresholds) && r.thresholds.every((t) => isObject(t) && isString(t.sli) && isString(t.expression) && isNumberOrNull(t.actual) && typeof t.pass === 'boolean' && isString(t.detail))],
  ['verdict', (r) => ['pass', 'fail', 'none'].includes(r.verdict as string)],
  ['timeline', (r) => isObject(r.timeline) && isNumber(r.timeline.intervalMs) && Array.isArray(r.timeline.points)],
  [
    'timeline.points',
    (r) =>
      !isObject(r.timeline) ||
      !Array.isArray(r.timeline.points) ||
      r.timeline.points.every(
        (p) =>
          isObject(p) &&
          ['tMs', 'online', 'connecting', 'offline', 'publishedPerSec', 'deliveredPerSec', 'rssBytes', 'heapUsedBytes', 'eventLoopLagP99Ms', 'cpu'].every((k) => isNumber(p[k])) &&
          ['latencyP50Ms', 'latencyP95Ms', 'latencyP99Ms'].every((k) => isNumberOrNull(p[k])),
      ),
  ],
  ['faults', (r) => Array.isArray(r.faults) && r.faults.every((f) => isObject(f) && isString(f.faultId) && isString(f.kind) && isNumber(f.startMs) && isNumber(f.endMs) && isNumber(f.devices))],
  ['distributions', (r) => isObject(r.distributions) && isBuckets(r.distributions.connectMs) && isBuckets(r.distributions.reconnectMs) && isBuckets(r.distributions.latencyMs)],
]

/**
 * Reads a report.json and checks that it is one this version renders: `reportVersion` 1 and every
 * field the page draws present with the right type. Throws a FleetError otherwise (exit 2 in the CLI):
 * FLEET_ERR_SPEC_FILE_NOT_FOUND, or FLEET_ERR_SPEC_NOT_A_REPORT naming what is wrong.
 *
 * @example
 * const report = readReport('runs/soak-20260105T101500Z/report.json')
 */
export function readReport(file: string): RunReport {
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
      throw errors.fileNotFound('run report', file, 'Check the path: a soak run writes report.json into its run folder (runs/<fleet>-<UTC time>/report.json).', e)
    }
    throw errors.notAReport(file, `cannot read it (${messageOf(e)})`, 'Pass a readable report.json file, not a folder.', e)
  }
  let data: unknown
  try {
    data = JSON.parse(text)
  } catch (e) {
    throw errors.notAReport(file, `not valid JSON (${messageOf(e)})`, undefined, e)
  }
  if (!isObject(data)) throw errors.notAReport(file, 'the top level is not a JSON object')
  if (!('reportVersion' in data)) throw errors.notAReport(file, 'it has no "reportVersion" field')
  if (data.reportVersion !== 1) {
    throw errors.notAReport(
      file,
      `reportVersion ${JSON.stringify(data.reportVersion)} is not one this fleet-emu reads (it reads 1)`,
      'Render it with the fleet-emu version that wrote it (run.emulatorVersion in the file), or upgrade fleet-emu.',
    )
  }
  const bad = SHAPE.filter(([, ok]) => !ok(data)).map(([path]) => path)
  if (bad.length > 0) throw errors.notAReport(file, `missing or malformed: ${bad.join(', ')}`, 'The file may be damaged or edited by hand; re-run the soak, or restore report.json from the run folder.')
  return data as unknown as RunReport
}
