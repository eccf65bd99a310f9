import { Worker, type MessagePort } from 'node:worker_threads'
import { RealClock, errors, workerScript, type ClockAnchor } from '../core/index.js'
import type { DeviceRegion, DeviceStates } from '../device/index.js'
import type { FaultRecord, PlannedFault } from '../faults/index.js'
import type { ThreadHealth } from '../observability/index.js'
import { EV, type FromShard, type ShardWorkerData, type ToShard } from './device-shard-protocol.js'
import type { ResolvedFleet } from './load-fleet.js'

/** What the fleet's thread does with its shards' events (the device hooks, with their times). */
export interface ShardEventSink {
  devicesCreated(devices: readonly { id: string; topic: string; sparkplug: boolean; states: DeviceStates }[]): void
  stateChanged(deviceId: string, region: DeviceRegion, from: string, to: string, atMs: number): void
  connectAttempt(deviceId: string, outcome: string): void
  disconnected(deviceId: string, reason: string): void
  published(deviceId: string, bytes: number, seq: number | undefined, wireSeq: number | undefined, clockMs: number, hiresMs: number): void
  /** `count` more samples made (shards send a count now and then, not an event per sample). */
  sampled(count: number): void
  droppedOffline(deviceId: string): void
  commandReceived(deviceId: string, name: string, status: string): void
  faultStarted(kind: string, faultId: string, devices: number): void
  faultEnded(kind: string, faultId: string): void
  faultSkipped(kind: string, faultId: string, reason: string): void
  faultLogStart(faultId: string, kind: string, deviceId: string, atMs: number, params: Record<string, unknown>, source: FaultRecord['source'], rootCauseId: string | null): void
  faultLogRecord(record: FaultRecord, online: boolean): void
  /** A shard's thread health (heap, event-loop lag), about once a second. */
  threadHealth(shard: number, h: ThreadHealth): void
  /** A shard failed (its worker threw or exited early): the fleet stops. */
  failed(shard: number, message: string): void
}

/**
 * The embedded broker as device shards reach it: in its own thread (BrokerThread) or on the fleet's
 * thread (EmbeddedBroker); either gives each shard a port of its own and hands back their events.
 */
export interface ShardBroker {
  readonly url: string
  shardPort(shard: number): MessagePort
  onShardEvents(listener: (shard: number, items: unknown[]) => void): void
}

/** Contiguous device ranges for `n` shards: [⌊kD/n⌋, ⌊(k+1)D/n⌋). */
export function shardRanges(devices: number, n: number): { from: number; to: number }[] {
  return Array.from({ length: n }, (_, k) => ({ from: Math.floor((k * devices) / n), to: Math.floor(((k + 1) * devices) / n) }))
}

/**
 * The fleet's devices split over worker threads (DESIGN.md, scale-out: one process uses both cores).
 * Each shard is a Fleet of a contiguous range of the devices in its own thread with its own heap (so
 * garbage collection pauses one shard, not every device), reaching the broker over its own channel
 * (the broker in its thread, or on this one); its events come back to this thread by the broker's
 * end of that channel, in order with the deliveries of the messages they announce, and are decoded
 * into the sink.
 */
export class DeviceShards {
  private readonly stopped: Promise<void>[] = []
  private readonly markStopped: (() => void)[] = []
  private ended = false

  private constructor(
    private readonly workers: Worker[],
    private readonly sink: ShardEventSink,
  ) {
    for (let i = 0; i < workers.length; i++) this.stopped.push(new Promise((resolve) => this.markStopped.push(resolve)))
  }

  static async start(opts: {
    resolved: ResolvedFleet
    ranges: readonly { from: number; to: number }[]
    seed: number
    durationMs: number
    rampRate: number | undefined
    broker: ShardBroker
    /** The fleet's clock, for the shards' clocks to read the same. */
    anchor: ClockAnchor
    sink: ShardEventSink
  }): Promise<DeviceShards> {
    const { script, eval: evalScript } = workerScript(import.meta.url, 'device-shard-worker')
    const workers: Worker[] = []
    const loaded: Promise<void>[] = []
    opts.ranges.forEach((range, shard) => {
      const brokerPort = opts.broker.shardPort(shard)
      const workerData: ShardWorkerData = { shard, resolved: opts.resolved, range, seed: opts.seed, durationMs: opts.durationMs, rampRate: opts.rampRate, brokerUrl: opts.broker.url, brokerPort, anchor: opts.anchor }
      const w = new Worker(script, { eval: evalScript, workerData, transferList: [brokerPort] })
      workers.push(w)
      loaded.push(
        new Promise((resolve, reject) => {
          w.once('message', (m: FromShard) => (m.t === 'loaded' ? resolve() : reject(new Error(m.t === 'failed' ? m.message : `unexpected ${m.t}`))))
          w.once('error', reject)
        }),
      )
    })
    const shards = new DeviceShards(workers, opts.sink)
    opts.broker.onShardEvents((shard, items) => shards.dispatch(shard, items))
    try {
      await Promise.all(loaded)
    } catch (e) {
      await Promise.all(workers.map((w) => w.terminate()))
      throw errors.internal(`a device shard did not start: ${(e as Error).message}`, e)
    }
    workers.forEach((w, shard) => {
      w.on('message', (m: FromShard) => m.t === 'failed' && shards.fail(shard, m.message))
      w.on('error', (e) => shards.fail(shard, e.message))
      w.on('exit', (code) => !shards.ended && shards.fail(shard, `exited with code ${code}`))
    })
    return shards
  }

  get count(): number {
    return this.workers.length
  }

  /** Starts the run in every shard (their devices are made by then); resolves once all have started. */
  async begin(runStartMs: number): Promise<void> {
    const started = this.workers.map(
      (w) =>
        new Promise<void>((resolve) => {
          const onMessage = (m: FromShard) => {
            if (m.t !== 'started') return
            w.off('message', onMessage)
            resolve()
          }
          w.on('message', onMessage)
        }),
    )
    for (const w of this.workers) w.postMessage({ t: 'start', runStartMs } satisfies ToShard)
    await Promise.all(started)
  }

  /** A runtime fault, scheduled by every shard on its own devices. */
  inject(planned: PlannedFault): void {
    for (const w of this.workers) w.postMessage({ t: 'inject', planned } satisfies ToShard)
  }

  /**
   * Stops every shard (faults undone, devices disconnected) and resolves when each one's last event
   * has arrived here; a shard that does not finish within `timeoutMs` is terminated.
   */
  async stop(reason: Extract<ToShard, { t: 'stop' }>['reason'], timeoutMs = 30_000): Promise<void> {
    if (this.ended) return
    for (const w of this.workers) w.postMessage({ t: 'stop', reason } satisfies ToShard)
    // Wall time: a shard that hangs must not hold the process, whatever the fleet's clock does.
    const wall = new RealClock()
    let timer: unknown
    const timeout = new Promise<void>((resolve) => (timer = wall.setTimeout(resolve, timeoutMs)))
    await Promise.race([Promise.all(this.stopped), timeout])
    wall.clearTimeout(timer)
    this.ended = true
    await Promise.all(this.workers.map((w) => w.terminate()))
  }

  private fail(shard: number, message: string): void {
    if (this.ended) return
    this.markStopped[shard]!()
    this.sink.failed(shard, message)
  }

  private dispatch(shard: number, it: unknown[]): void {
    const s = this.sink
    let i = 0
    while (i < it.length) {
      const op = it[i++] as number
      switch (op) {
        case EV.devices:
          s.devicesCreated((it[i++] as [string, string, boolean, DeviceStates][]).map(([id, topic, sparkplug, states]) => ({ id, topic, sparkplug, states })))
          break
        case EV.state:
          s.stateChanged(it[i] as string, it[i + 1] as DeviceRegion, it[i + 2] as string, it[i + 3] as string, it[i + 4] as number)
          i += 5
          break
        case EV.attempt:
          s.connectAttempt(it[i] as string, it[i + 1] as string)
          i += 2
          break
        case EV.disconnected:
          s.disconnected(it[i] as string, it[i + 1] as string)
          i += 2
          break
        case EV.published: {
          const seq = it[i + 2] as number
          const wireSeq = it[i + 3] as number
          s.published(it[i] as string, it[i + 1] as number, seq < 0 ? undefined : seq, wireSeq < 0 ? undefined : wireSeq, it[i + 4] as number, it[i + 5] as number)
          i += 6
          break
        }
        case EV.sampled:
          s.sampled(it[i++] as number)
          break
        case EV.droppedOffline:
          s.droppedOffline(it[i++] as string)
          break
        case EV.command:
          s.commandReceived(it[i] as string, it[i + 1] as string, it[i + 2] as string)
          i += 3
          break
        case EV.faultStarted:
          s.faultStarted(it[i] as string, it[i + 1] as string, it[i + 2] as number)
          i += 3
          break
        case EV.faultEnded:
          s.faultEnded(it[i] as string, it[i + 1] as string)
          i += 2
          break
        case EV.faultSkipped:
          s.faultSkipped(it[i] as string, it[i + 1] as string, it[i + 2] as string)
          i += 3
          break
        case EV.logStart:
          s.faultLogStart(it[i] as string, it[i + 1] as string, it[i + 2] as string, it[i + 3] as number, it[i + 4] as Record<string, unknown>, it[i + 5] as FaultRecord['source'], it[i + 6] as string | null)
          i += 7
          break
        case EV.logRecord:
          s.faultLogRecord(it[i] as FaultRecord, it[i + 1] as boolean)
          i += 2
          break
        case EV.health: {
          const n = (v: unknown) => (v as number) < 0 ? null : (v as number)
          s.threadHealth(shard, { heapUsedBytes: it[i] as number, lagP99Ms: it[i + 1] as number, lagMaxMs: it[i + 2] as number, runLagP99Ms: n(it[i + 3]), runLagMaxMs: n(it[i + 4]) })
          i += 5
          break
        }
        case EV.stopped:
          this.markStopped[shard]!()
          break
        default:
          throw errors.internal(`device shard ${shard}: unknown event ${String(op)}`)
      }
    }
  }
}
