import type { Duplex } from 'node:stream'
import { memoryConnection } from '../core/index.js'

/**
 * What a device's MQTT stream (ShapedStream) writes into: a TCP socket, or one end of an in-memory
 * connection into the embedded broker. Not a Node stream: an in-memory end needs no stream machinery
 * of its own (two of them per device were ~1.2 KB of heap and a hop per packet each way).
 */
export interface BytePipe {
  write(chunk: Buffer): void
  /** No more bytes from this side (a FIN): the other side ends after what was sent. */
  end(): void
  destroy(): void
}

/** What a pipe tells the stream above it; methods, so a pipe holds one reference and no closures. */
export interface BytePipeListener {
  onPipeData(chunk: Buffer): void
  /** The far side ended (after the bytes it sent). */
  onPipeEnd(): void
  onPipeError(error: Error): void
  /** The pipe is gone: closed by either side, or torn down. */
  onPipeClose(): void
  /** TCP only: the socket connected. */
  onPipeConnect(): void
}

/** Opens a pipe toward the broker; what comes back goes to `listener`. */
export interface PipeConnector {
  (listener: BytePipeListener): BytePipe
  /**
   * True while a connection would be refused at once (a broker in this process that is down): the
   * caller may fail the attempt without opening a pipe — or making an MQTT client for it.
   */
  refusing?(): boolean
}

/** A Node stream — a TCP socket, one end of a duplex pair — as a pipe. */
export function streamPipe(stream: Duplex, listener: BytePipeListener): BytePipe {
  stream.on('data', (chunk: Buffer) => listener.onPipeData(chunk))
  stream.on('end', () => listener.onPipeEnd())
  stream.on('error', (e: Error) => listener.onPipeError(e))
  stream.on('close', () => listener.onPipeClose())
  stream.on('connect', () => listener.onPipeConnect())
  return stream
}

/**
 * In-memory connections into a broker in the same thread ({@link memoryConnection}): no socket, no
 * file descriptor — what lets one process hold more devices than its open-file limit allows over TCP.
 */
export function memoryConnector(accept: (serverSide: Duplex) => void, refusing?: () => boolean): PipeConnector {
  return Object.assign((listener: BytePipeListener) => streamPipe(memoryConnection(accept), listener), { refusing })
}
