import type { Fleet } from './fleet.js'

/** What the end-of-run summary prints, and what summary.json holds. */
export interface RunSummary {
  fleet: string
  file: string
  seed: number
  /** complete: ran its duration; stopped: stop() called early; interrupted: SIGINT/SIGTERM (partial). */
  status: 'complete' | 'stopped' | 'interrupted'
  /** True when the run was interrupted: outputs hold what happened up to the stop. */
  partial: boolean
  startedAt: string
  devices: number
  plannedDurationMs: number
  elapsedMs: number
  brokerUrl: string
  /** ms from run start until every device was online at the same time; null if never. */
  allOnlineAfterMs: number | null
  connects: { attempts: number; successRate: number | null; outcomes: Record<string, number> }
  disconnects: Record<string, number>
  messages: { published: number; bytes: number; droppedOffline: number; samples: number; perSecond: number }
  commands: number
  faults: { faultId: string; kind: string; devices: number; truncated: number }[]
  finalStates: { connectivity: Record<string, number>; firmware: Record<string, number>; battery: Record<string, number> }
  /** The thresholds' verdict (report.json has the details); absent when the run was not measured. */
  verdict?: 'pass' | 'fail' | 'none'
}

export function buildSummary(fleet: Fleet, elapsedMs: number, status: RunSummary['status'], startedWallMs: number): RunSummary {
  const s = fleet.stats
  return {
    fleet: fleet.name,
    file: fleet.resolved.file,
    seed: fleet.seed,
    status,
    partial: status === 'interrupted',
    startedAt: new Date(startedWallMs).toISOString(),
    devices: fleet.size,
    plannedDurationMs: fleet.durationMs,
    elapsedMs,
    brokerUrl: fleet.brokerUrl,
    allOnlineAfterMs: s.allOnlineAtMs ?? null,
    connects: { attempts: s.connectAttempts, successRate: s.connectSuccessRate(), outcomes: { ...s.connectOutcomes } },
    disconnects: { ...s.disconnects },
    messages: {
      published: s.messagesPublished,
      bytes: s.bytesPublished,
      droppedOffline: s.droppedOffline,
      samples: s.samples,
      perSecond: elapsedMs > 0 ? Math.round((s.messagesPublished * 1000) / elapsedMs) : 0,
    },
    commands: s.commands,
    faults: fleet.faultTotals.perFault,
    finalStates: { connectivity: s.states('connectivity'), firmware: s.states('firmware'), battery: s.states('battery') },
  }
}
