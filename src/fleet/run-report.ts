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
/** Records of one fault id that start this close together (clock ms) are one occurrence. */
const SAME_OCCURRENCE_MS = 1_000

export function finishRunReport(fleet: Fleet, recorder: SoakRecorder, summary: RunSummary): RunReport {
  const slis = recorder.finish(summary.elapsedMs)
  const thresholds = evaluateThresholds(fleet.resolved.spec.thresholds, slis)
  // One entry per occurrence: a fault id's records, whether they started on the same ms or, across
  // device shards, a few ms apart; the same id again after it ended (a runtime id reused) is another.
  const faults: RunReport['faults'] = []
  const open = new Map<string, RunReport['faults'][number]>()
  for (const r of fleet.faultLog) {
    // The timeline shows the faults themselves; their propagated effects stay in faults.jsonl.
    if (r.root_cause_id !== null) continue
    const startMs = r.start_ms - fleet.runStartedAtMs
    const endMs = r.end_ms - fleet.runStartedAtMs
    const f = open.get(r.fault_id)
    if (f && Math.abs(startMs - f.startMs) <= SAME_OCCURRENCE_MS) {
      f.devices++
      f.startMs = Math.min(f.startMs, startMs)
      f.endMs = Math.max(f.endMs, endMs)
    } else {
      const entry = { faultId: r.fault_id, kind: r.kind, startMs, endMs, devices: 1 }
      faults.push(entry)
      open.set(r.fault_id, entry)
    }
  }
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
      emulatorVersion: FLEET_EMU_VERSION,
      node: process.version,
      cpus: availableParallelism(),
    },
    slis,
    thresholds,
    verdict: thresholdsVerdict(thresholds),
    timeline: recorder.timeline(),
    faults: [...faults].sort((a, b) => a.startMs - b.startMs || a.faultId.localeCompare(b.faultId)),
    distributions: recorder.distributions(),
  }
  if (fleet.outDir) writeReport(fleet.outDir, report)
  return report
}
