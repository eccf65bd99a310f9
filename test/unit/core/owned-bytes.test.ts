import { describe, expect, it } from 'vitest'
import { ownedBytes } from '../../../src/core/index.js'

describe('ownedBytes', () => {
  it('a short text gets memory of its own, not a slice of the 8 KB pool a plain Buffer.from would cut it from', () => {
    expect(Buffer.from('offline').buffer.byteLength).toBeGreaterThan(7) // what it avoids
    const bytes = ownedBytes('offline')
    expect(bytes.toString()).toBe('offline')
    expect(bytes.buffer.byteLength).toBe(7)
    expect(ownedBytes('é').buffer.byteLength).toBe(2)
  })

  it('a view copies only its own bytes, and later writes to the source do not reach the copy', () => {
    const batch = new Uint8Array(64 * 1024).fill(7)
    const bytes = ownedBytes(batch.subarray(10, 14))
    batch.fill(0)
    expect([...bytes]).toEqual([7, 7, 7, 7])
    expect(bytes.buffer.byteLength).toBe(4)
  })
})
