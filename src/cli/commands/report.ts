import { dirname, join } from 'node:path'
import type { Command } from 'commander'
import { formatDuration } from '../../core/index.js'
import { readReport, REPORT_FILES, writeReportHtml, type RunReport } from '../../outputs/index.js'
import { EXIT } from '../exit-codes.js'

interface ReportFlags {
  out?: string
}

export function registerReport(program: Command, setExit: (code: number) => void): void {
  program
    .command('report')
    .description('render report.html again from a soak run\'s report.json (exits 0 whatever the verdict: it only renders)')
    .argument('<report.json>', 'the report.json in a run folder')
    .option('--out <file.html>', 'where to write the page (default: report.html next to the JSON)')
    .action((file: string, flags: ReportFlags) => setExit(reportCommand(file, flags)))
}

/** "verdict: FAIL — 1 of 4 thresholds failed (reconnect_p95) · complete, 10000 devices, 30m". */
export function verdictLine(r: RunReport): string {
  const failed = r.thresholds.filter((t) => !t.pass).map((t) => t.sli)
  const verdict =
    r.verdict === 'fail'
      ? `FAIL — ${failed.length} of ${r.thresholds.length} thresholds failed (${failed.join(', ')})`
      : r.verdict === 'pass'
        ? `PASS — all ${r.thresholds.length} threshold${r.thresholds.length === 1 ? '' : 's'} met`
        : 'none — no thresholds declared'
  return `verdict: ${verdict} · ${r.run.status}${r.run.partial ? ' (partial)' : ''}, ${r.run.devices} devices, ${formatDuration(r.run.elapsedMs)}`
}

/**
 * Renders only: a failed verdict was already the run's exit code (3), so here it is printed, not
 * returned — scripts re-rendering old reports must not read "rendered" as "failed".
 */
function reportCommand(file: string, flags: ReportFlags): number {
  const report = readReport(file)
  const out = writeReportHtml(flags.out ?? join(dirname(file), REPORT_FILES.html), report)
  process.stdout.write(`${out}\n${verdictLine(report)}\n`)
  return EXIT.ok
}
