import { availableParallelism } from 'node:os'
import { FLEET_EMU_VERSION, wallEpochMs } from '../core/index.js'
import { writeReport } from '../outputs/index.js'
import type { RunReport } from '../outputs/index.js'
import { evaluateThresholds, thresholdsVerdict } from '../spec/index.js'
import type { Fleet } from './fleet.js'
import type { SoakRecorder } from './soak-recorder.js'
import type { RunSummary } from './summary.js'

/**
 * Closes the measurements, evaluates the fleet file's thresholds, and (with an output folder) writes
 * report.json and report.html. Runs for every way a run ends, interrupted ones included.
 */
export function finishRunReport(fleet: Fleet, recorder: SoakRecorder, summary: RunSummary): RunReport {
  const slis = recorder.finish(summary.elapsedMs)
  const thresholds = evaluateThresholds(fleet.resolved.spec.thresholds, slis)
  const flags = nodeFlags()
  const report: RunReport = {
    reportVersion: 1,
    run: {
      fleet: summary.fleet,
      file: summary.file,
      seed: summary.seed,
      status: summary.status,
      partial: summary.partial,
      startedAt: summary.startedAt,
      endedAt: new Date(wallEpochMs()).toISOString(),
      devices: summary.devices,
      plannedDurationMs: summary.plannedDurationMs,
      elapsedMs: summary.elapsedMs,
      speed: fleet.speed,
      brokerUrl: summary.brokerUrl,
      links: fleet.linkKind,
      threads: fleet.threads,
      ...(fleet.heapSettings ? { heap: fleet.heapSettings } : {}),
      ...(flags ? { nodeFlags: flags } : {}),
      emulatorVersion: FLEET_EMU_VERSION,
      node: process.version,
      cpus: availableParallelism(),
    },
    slis,
    thresholds,
    verdict: thresholdsVerdict(thresholds),
    timeline: recorder.timeline(),
    faults: fleet.faultTotals.occurrences.sort((a, b) => a.startMs - b.startMs || a.faultId.localeCompare(b.faultId)),
    distributions: recorder.distributions(),
  }
  if (fleet.outDir) writeReport(fleet.outDir, report)
  return report
}

/** The Node flags this process runs with: its command line's, then NODE_OPTIONS' (how the CLI's are given). */
function nodeFlags(): string {
  return [...process.execArgv, ...(process.env.NODE_OPTIONS?.trim() ? [process.env.NODE_OPTIONS.trim()] : [])].join(' ')
}
