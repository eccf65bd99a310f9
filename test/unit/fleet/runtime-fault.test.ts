import { describe, expect, it } from 'vitest'
import { faultEntrySchemas } from '../../../src/faults/index.js'
import { validateRuntimeFault } from '../../../src/fleet/runtime-fault.js'
import { expectFleetError } from '../../helpers/expect-fleet-error.js'

describe('validateRuntimeFault', () => {
  it('accepts a fleet-file fault with durationMs/atMs spelled in code', () => {
    expect(validateRuntimeFault({ kind: 'disconnect', durationMs: 2_000, atMs: 500 }, faultEntrySchemas)).toMatchObject({ kind: 'disconnect', duration: 2_000, at: 500 })
  })

  it('refuses a rate schedule: perDevicePerDay is planned over the whole run, in the fleet file', () => {
    expectFleetError(() => validateRuntimeFault({ kind: 'telemetry.spike', perDevicePerDay: 3 }, faultEntrySchemas), 'FLEET_ERR_FAULT_INVALID', /perDevicePerDay: a rate schedule is planned over the whole run/)
  })
})
