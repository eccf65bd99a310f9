import { Fleet, type FleetOptions } from './fleet.js'
import { loadFleet } from './load-fleet.js'

export interface StartFleetOptions extends FleetOptions {
  /** Scale the fleet file's groups to this many devices in total. */
  devices?: number
  profilesDir?: string
}

/**
 * Loads a fleet file, starts its broker (embedded unless the file or options name one), metrics and
 * devices, and returns the running fleet. Call `fleet.stop()` when done (or `fleet.run()` to run for
 * the file's duration).
 *
 * @example
 * const fleet = await startFleet('fleets/quickstart.fleet.yaml', { seed: 7, devices: 50, brokerPort: 0, metricsPort: false })
 * await fleet.waitFor((f) => f.count({ connectivity: 'online' }) === 50, { timeoutMs: 10_000 })
 * await fleet.stop()
 */
export async function startFleet(file: string, opts: StartFleetOptions = {}): Promise<Fleet> {
  const resolved = loadFleet(file, { devices: opts.devices, profilesDir: opts.profilesDir })
  const fleet = new Fleet(resolved, opts)
  await fleet.start()
  return fleet
}
