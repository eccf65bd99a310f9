// A device shard (see device-shards.ts): a Fleet of one contiguous range of the fleet's devices in a
// worker thread, on the fleet's run clock, reaching the broker over its own channel. It runs
// the whole fault plan on its devices (as `--shard` processes do) and sends every event to the
// fleet's thread, which keeps the counts, measurements and outputs.
import { parentPort, workerData } from 'node:worker_threads'
import { RealClock, hiresEpochMs, type TimerHandle } from '../core/index.js'
import { ProcessMonitor } from '../observability/index.js'
import { BrokerShardChannel } from '../broker/index.js'
import { EV, type FleetObserver, type FromShard, type ShardWorkerData, type ToShard } from './device-shard-protocol.js'
import { Fleet } from './fleet.js'

const port = parentPort!
const data = workerData as ShardWorkerData
const channel = new BrokerShardChannel(data.brokerPort)
const post = (m: FromShard) => port.postMessage(m)
const ev = (...items: unknown[]) => channel.event(...items)

const observer: FleetObserver = {
  devicesCreated: (devices) => ev(EV.devices, devices.map((d) => [d.id, d.topic, d.sparkplug, d.states])),
  stateChanged: (id, region, from, to) => ev(EV.state, id, region, from, to, fleet?.clock.now() ?? 0),
  connectAttempt: (id, outcome) => ev(EV.attempt, id, outcome),
  disconnected: (id, reason) => ev(EV.disconnected, id, reason),
  published: (id, bytes, seq, wireSeq) => ev(EV.published, id, bytes, seq ?? -1, wireSeq ?? -1, fleet!.clock.now(), hiresEpochMs()),
  sampled: () => void unsentSamples++,
  droppedOffline: (id) => ev(EV.droppedOffline, id),
  commandReceived: (id, name, status) => ev(EV.command, id, name, status),
  faultStarted: (kind, faultId, n) => ev(EV.faultStarted, kind, faultId, n),
  faultEnded: (kind, faultId) => ev(EV.faultEnded, kind, faultId),
  faultSkipped: (kind, faultId, reason) => ev(EV.faultSkipped, kind, faultId, reason),
  faultLogStart: (faultId, kind, id, atMs, params, source, rootCauseId) => ev(EV.logStart, faultId, kind, id, atMs, params, source, rootCauseId),
  faultLogRecord: (record, online) => ev(EV.logRecord, record, online),
}

let fleet: Fleet | undefined
/** Samples made and not yet counted to the fleet's thread (sent with each health report and at the end). */
let unsentSamples = 0
function sendSamples(): void {
  if (unsentSamples > 0) ev(EV.sampled, unsentSamples)
  unsentSamples = 0
}

port.on('message', (m: ToShard) => {
  if (m.t === 'start') return void start(m.runStartMs).catch(fail)
  if (m.t === 'inject') return fleet?.schedule(m.planned)
  if (m.t === 'stop') return void stop(m.reason).catch(fail)
})

/** Makes this shard's fleet and its devices (not powered on) before the run starts. */
async function prepare(): Promise<void> {
  fleet = new Fleet(data.resolved, {
    seed: data.seed,
    durationMs: data.durationMs,
    clock: new RealClock({ anchor: data.anchor }),
    deviceRange: data.range,
    rampRate: data.rampRate,
    remoteBroker: {
      url: data.brokerUrl,
      connect: (listener) => channel.connectPipe(listener),
      control: {
        goDown: () => channel.call({ op: 'goDown' }) as Promise<void>,
        comeUp: () => channel.call({ op: 'comeUp' }) as Promise<void>,
        setOutage: (on) => void channel.call({ op: 'setOutage', on }).catch(() => undefined),
        rejectClient: (clientId, on) => void channel.call({ op: 'rejectClient', clientId, on }).catch(() => undefined),
        disconnectClient: (clientId) => void channel.call({ op: 'disconnectClient', clientId }).catch(() => undefined),
      },
    },
    observer,
    measure: false,
    metricsPort: false,
  })
  await fleet.prepare()
}

async function start(runStartMs: number): Promise<void> {
  await fleet!.start({ runStartMs })
  reportHealth()
  post({ t: 'started' })
}

// This thread's heap and event-loop lag, each second of wall time, for the run's report.
const wall = new RealClock()
const monitor = new ProcessMonitor()
let healthTimer: TimerHandle | undefined
function reportHealth(): void {
  monitor.start()
  const tick = () => {
    const h = monitor.sample()
    const run = monitor.runLag()
    sendSamples()
    ev(EV.health, h.heapUsedBytes, h.eventLoopLagP99Ms, h.eventLoopLagMaxMs, run.p99 ?? -1, run.max ?? -1)
    healthTimer = wall.setTimeout(tick, 1_000)
  }
  healthTimer = wall.setTimeout(tick, 1_000)
}

async function stop(reason: Extract<ToShard, { t: 'stop' }>['reason']): Promise<void> {
  wall.clearTimeout(healthTimer)
  monitor.stop()
  await fleet?.stop({ reason })
  sendSamples()
  ev(EV.stopped)
  channel.close()
  post({ t: 'exiting' })
}

function fail(e: unknown): void {
  post({ t: 'failed', message: e instanceof Error ? e.message : String(e) })
}

prepare().then(
  () => post({ t: 'loaded' }),
  (e: unknown) => fail(e),
)
