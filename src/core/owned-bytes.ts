/**
 * Bytes in a Buffer with memory of its own, for a Buffer that is kept for long: a slice keeps all of
 * the memory it was cut from alive — a small `Buffer.from` is a slice of Node's shared 8 KB pool, and
 * a view of a received batch holds the whole batch. Not pooled (`allocUnsafeSlow`), for that reason.
 */
export function ownedBytes(data: string | Uint8Array): Buffer {
  if (typeof data === 'string') {
    const bytes = Buffer.allocUnsafeSlow(Buffer.byteLength(data))
    bytes.write(data)
    return bytes
  }
  const bytes = Buffer.allocUnsafeSlow(data.length)
  bytes.set(data)
  return bytes
}
