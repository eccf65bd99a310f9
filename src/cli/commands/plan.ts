import type { Command } from 'commander'
import { parseDuration } from '../../core/index.js'
import { faultKinds, planFaults } from '../../faults/index.js'
import { loadFleet } from '../../fleet/index.js'
import { intArg } from '../args.js'
import { EXIT } from '../exit-codes.js'
import { formatPlan, planWarnings, type FleetPlanView } from '../format-plan.js'

interface PlanFlags {
  seed?: number
  devices?: number
  duration?: string
  brokerUrl?: string
  json?: boolean
}

export function registerPlan(program: Command, setExit: (code: number) => void): void {
  program
    .command('plan')
    .description('print the devices, connect ramp and fault timeline of a fleet without starting anything')
    .argument('<fleet>', 'fleet file (fleets/*.fleet.yaml)')
    .option('--seed <n>', 'run seed (overrides the file)', intArg)
    .option('--devices <n>', 'scale the groups to this many devices in total', intArg)
    .option('--duration <d>', 'plan for this run length instead')
    .option('--broker-url <url>', 'plan as if run against this external broker')
    .option('--json', 'print the full plan (every fault occurrence with every device id) as JSON')
    .action((file: string, flags: PlanFlags) => setExit(planCommand(file, flags)))
}

function planCommand(file: string, flags: PlanFlags): number {
  const fleet = loadFleet(file, { devices: flags.devices })
  const seed = flags.seed ?? fleet.spec.seed
  const durationMs = flags.duration === undefined ? fleet.spec.duration : parseDuration(flags.duration)
  const devices = fleet.devices.map((d) => ({ id: d.id, group: d.group, profile: d.profile.name, labels: d.labels, sensors: Object.keys(d.profile.sensors), hasBattery: d.profile.battery !== undefined }))
  const view: FleetPlanView = {
    fleet,
    seed,
    durationMs,
    rampRate: fleet.spec.ramp.rate,
    external: flags.brokerUrl ?? fleet.spec.broker.url,
    plan: planFaults(fleet.spec.faults, devices, seed, durationMs),
    needsEmbedded: (kind) => faultKinds[kind]?.needsEmbeddedBroker === true,
  }
  if (flags.json) {
    const json = {
      fleet: fleet.spec.name,
      seed,
      durationMs,
      devices: fleet.devices.length,
      groups: fleet.spec.groups.map((g) => ({ name: g.name, profile: g.profile, count: fleet.devices.filter((d) => d.group === g.name).length })),
      rampRate: view.rampRate,
      faults: view.plan.map((p) => ({ faultId: p.faultId, kind: p.kind, startMs: p.startMs, endMs: p.endMs ?? null, devices: p.deviceIds })),
      warnings: planWarnings(view),
    }
    process.stdout.write(JSON.stringify(json, null, 2) + '\n')
  } else process.stdout.write(formatPlan(view))
  return EXIT.ok
}
