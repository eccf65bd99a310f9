import { expect } from 'vitest'
import type { ErrorCode } from '../../src/core/index.js'

/** Asserts that `fn` throws a FleetError with this code and a message matching `message`. */
export function expectFleetError(fn: () => unknown, code: ErrorCode, message: RegExp): void {
  expect(fn).toThrow(expect.objectContaining({ name: 'FleetError', code, message: expect.stringMatching(message) }))
}
