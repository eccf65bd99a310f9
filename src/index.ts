/** fleet-emu's public library API (re-exports only). */
export { startFleet, Fleet, loadFleet, scaleCounts, checkProfileFile } from './fleet/index.js'
export type { FleetOptions, StartFleetOptions, DeviceInfo, DeviceStateEvent, CountFilter, RunSummary, ResolvedFleet, DeviceSpec } from './fleet/index.js'
export { FleetError, isFleetError, formatProblem, ERROR_CODES, RealClock, VirtualClock, deriveStream, parseDuration, formatDuration } from './core/index.js'
export type { ErrorCode, SpecProblem, Clock, Rng } from './core/index.js'
export { EmbeddedBroker } from './broker/index.js'
export { faultKinds, planFaults } from './faults/index.js'
export type { FaultRecord, PlannedFault } from './faults/index.js'
export type { DeviceProfile, FleetFile } from './spec/index.js'
