import type { Command } from 'commander'
import { parseDuration } from '../../core/index.js'
import { loadFleet, planFleet } from '../../fleet/index.js'
import { fleetOptions } from '../args.js'
import { EXIT } from '../exit-codes.js'
import { formatPlan } from '../format-plan.js'

interface PlanFlags {
  seed?: number
  devices?: number
  duration?: string
  brokerUrl?: string
  json?: boolean
}

export function registerPlan(program: Command, setExit: (code: number) => void): void {
  fleetOptions(
    program
      .command('plan')
      .description('print the devices, connect ramp and fault timeline of a fleet without starting anything')
      .argument('<fleet>', 'fleet file (fleets/*.fleet.yaml)'),
    'plan for this run length instead',
  )
    .option('--broker-url <url>', 'plan as if run against this external broker')
    .option('--json', 'print the full plan (every fault occurrence with every device id) as JSON')
    .action((file: string, flags: PlanFlags) => setExit(planCommand(file, flags)))
}

function planCommand(file: string, flags: PlanFlags): number {
  const fleet = loadFleet(file, { devices: flags.devices })
  const view = planFleet(fleet, { seed: flags.seed, durationMs: flags.duration === undefined ? undefined : parseDuration(flags.duration), brokerUrl: flags.brokerUrl })
  if (flags.json) {
    const json = {
      fleet: fleet.spec.name,
      seed: view.seed,
      durationMs: view.durationMs,
      devices: fleet.devices.length,
      groups: fleet.spec.groups.map((g) => ({ name: g.name, profile: g.profile, count: fleet.devices.filter((d) => d.group === g.name).length })),
      rampRate: view.rampRate,
      faults: view.faults.map((p) => ({ faultId: p.faultId, kind: p.kind, startMs: p.startMs, endMs: p.endMs ?? null, devices: p.deviceIds })),
      warnings: view.warnings,
    }
    process.stdout.write(JSON.stringify(json, null, 2) + '\n')
  } else process.stdout.write(formatPlan(view))
  return EXIT.ok
}
