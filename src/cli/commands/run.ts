import { availableParallelism } from 'node:os'
import { InvalidArgumentError, type Command } from 'commander'
import { parseDuration, wallEpochMs } from '../../core/index.js'
import { Fleet, loadFleet, workerThreads } from '../../fleet/index.js'
import { defaultRunFolder } from '../../outputs/index.js'
import { EXIT } from '../exit-codes.js'
import { fleetOptions, portArg, positiveNumberArg } from '../args.js'
import { formatSummary } from '../print-summary.js'
import { ProgressLine } from '../progress.js'
import { applyHeapGrowth, formatHeapGrowth, heapGrowthArg, resolveHeapGrowth, type HeapGrowth } from '../heap-growth.js'
import { applyHeapCompaction, heapCompactionArg, type HeapCompaction } from '../heap-compaction.js'

interface RunFlags {
  seed?: number
  devices?: number
  duration?: string
  brokerPort?: number
  brokerUrl?: string
  metricsPort?: number
  metrics: boolean
  out?: string
  json?: boolean
  speed?: number
  links?: 'tcp' | 'memory'
  progress: boolean
  /** Unset: `resolveBrokerThread` decides. */
  brokerThread?: boolean
  workers: number | 'auto'
  /** Unset: `resolveHeapGrowth` decides. */
  heapGrowth?: HeapGrowth
  heapCompaction: HeapCompaction
}

/** Below this many devices one thread holds them well; past it, `--workers auto` shards them. */
export const AUTO_WORKERS_FROM_DEVICES = 2_000

function workersArg(value: string): number | 'auto' {
  if (value === 'auto') return value
  const n = Number(value)
  if (!Number.isInteger(n) || n < 0 || n > 64) throw new InvalidArgumentError(`expected auto or a whole number 0–64, got "${value}"`)
  return n
}

/**
 * `auto`: device workers for fleets of 2,000 devices or more on the embedded broker with in-memory
 * links, where there are cores for them. With the broker in its thread, that thread keeps one core
 * busy and the main thread another (the delivery probe, the recorder and /metrics see every
 * message), so a shard pays only on a third core: cores − 2 workers. With the broker on the main
 * thread (the default on two cores), one worker takes the devices and the main thread keeps the
 * broker and the measurements: two busy threads on two cores. Measured there on the soak fleet
 * (bench/README.md, "Where it stands (2026-12-07, morning)"): against the devices on the main thread,
 * a 5–35% faster ramp and about half the latency p99 at the same CPU, for ~10 KB a device more; a
 * 30-min soak passed every threshold, latency p99 274 ms, but two more read RSS growth 10.1% and 6.6%
 * (a step at the disconnect storm: the wave compactor watches only the main thread's heap; "Where it
 * stands (2026-12-07, day)"), where one thread ends below its start (−8.3 to −9.8%). More workers beside a broker on the main thread are not measured: ask for
 * them with --workers n.
 */
export function resolveWorkers(workers: number | 'auto', devices: number, embedded: boolean, links: 'tcp' | 'memory' | undefined, brokerThread: boolean, cores = availableParallelism()): number {
  if (workers !== 'auto') return workers
  if (!embedded || links !== 'memory' || devices < AUTO_WORKERS_FROM_DEVICES) return 0
  return brokerThread ? Math.max(0, cores - 2) : Math.min(1, cores - 1)
}

/**
 * Unset (neither --broker-thread nor --no-broker-thread): the embedded broker gets a thread of its own
 * where that pays. With in-memory links on two cores or fewer it stays on the main thread, with the
 * devices or beside one device worker (see resolveWorkers): measured there on the soak fleet
 * (bench/README.md, "Where it stands (evening)"), the devices and the broker on one thread connected
 * 10,000 devices faster than with a broker thread (2,782–2,916 against 1,849–2,538 a second), carried
 * more (28,500 against ~20,500 msg/s), and took about half the CPU and a third less RSS, because
 * every packet crossing to a broker thread costs a message between threads; and a device worker
 * beside a broker on the main thread saves a third busy thread. TCP links keep the broker thread
 * (not measured on one thread yet).
 */
export function resolveBrokerThread(flag: boolean | undefined, links: 'tcp' | 'memory' | undefined, cores = availableParallelism()): boolean {
  if (flag !== undefined) return flag
  return !(links === 'memory' && cores <= 2)
}

function linksArg(value: string): 'tcp' | 'memory' {
  if (value !== 'tcp' && value !== 'memory') throw new InvalidArgumentError(`expected tcp or memory, got "${value}"`)
  return value
}

export function registerRun(program: Command, setExit: (code: number) => void): void {
  fleetOptions(
    program
      .command('run')
      .description('run a fleet live against the embedded broker (or --broker-url) for the fleet file’s duration')
      .argument('<fleet>', 'fleet file (fleets/*.fleet.yaml)'),
    'run for this long instead (e.g. 30s, 2h)',
  )
    .option('--broker-port <port>', 'embedded broker port (0 = any free port)', portArg)
    .option('--broker-url <url>', 'use this external broker instead of the embedded one')
    .option('--metrics-port <port>', 'Prometheus /metrics port (0 = any free port)', portArg)
    .option('--no-metrics', 'do not serve /metrics')
    .option('--out <dir>', 'output folder (default runs/<fleet>-<UTC time>/)')
    .option('--speed <factor>', 'live clock speed factor (e.g. 10 runs ten clock seconds per second)', positiveNumberArg)
    .option('--links <kind>', 'how devices reach the embedded broker: tcp (sockets, default) or memory (no file descriptors; for >10k devices)', linksArg)
    .option('--broker-thread', 'run the embedded broker in a worker thread of its own (default, except with --links memory on two cores or fewer)')
    .option('--no-broker-thread', 'run the embedded broker on the main thread, with the devices or beside device workers')
    .option('--workers <n>', 'run the devices in n worker threads (device shards; needs the embedded broker, reached through memory links); auto: from 2,000 devices with --links memory, cores − 2 beside a broker thread, 1 beside a broker on the main thread (two cores); else 0', workersArg, 'auto')
    .option('--heap-growth <percent>', "collect garbage once a heap grows this much past its live size (V8's --heap-growing-percent); v8 (default with the devices on the main thread): V8's own factor; auto:N: V8's during the connect ramp, N once every device is online (auto: 100; lower peaks in reconnect waves, more collections; auto:50 with --heap-compaction always: the least steady memory at V8's ramp speed); auto:50 is the default with device workers (--workers); 50 takes a third off RSS at 10,000 devices, at a cost in latency", heapGrowthArg)
    .option('--heap-compaction <mode>', "auto (default): after a reconnect wave leaves the heap's pages half empty, compact it once, 15 s after the collection that saw it (one pause of ~250 ms at 10,000 devices), instead of giving the pages back over ~10 minutes; always: at every full collection (least RSS, that pause every ~20 s); v8: V8's own choice", heapCompactionArg, 'auto')
    .option('--json', 'print the summary as JSON on stdout')
    .option('--no-progress', 'no live progress line')
    .action(async (file: string, flags: RunFlags) => setExit(await runCommand(file, flags)))
}

async function runCommand(file: string, flags: RunFlags): Promise<number> {
  const resolved = loadFleet(file, { devices: flags.devices })
  const outDir = flags.out ?? defaultRunFolder(resolved.spec.name, wallEpochMs())
  const embedded = !flags.brokerUrl && !resolved.spec.broker.url
  const brokerThread = resolveBrokerThread(flags.brokerThread, flags.links)
  const deviceWorkers = resolveWorkers(flags.workers, resolved.devices.length, embedded, flags.links, brokerThread)
  if (deviceWorkers > 0 && !embedded) {
    process.stderr.write(`fleet-emu: --workers ${deviceWorkers} needs the embedded broker (the devices reach it through in-memory links); with an external broker use --workers 0\n`)
    return EXIT.invalidInput
  }
  const heapGrowth = resolveHeapGrowth(flags.heapGrowth, deviceWorkers)
  const fleet = new Fleet(resolved, {
    seed: flags.seed,
    durationMs: flags.duration === undefined ? undefined : parseDuration(flags.duration),
    brokerPort: flags.brokerPort,
    brokerUrl: flags.brokerUrl,
    metricsPort: flags.metrics === false ? false : flags.metricsPort,
    speed: flags.speed,
    links: flags.links,
    brokerThread,
    deviceWorkers,
    outDir,
    // The records are in faults.jsonl; held here too they would grow with every fault of a long soak.
    keepFaultLog: false,
    heapSettings: `--heap-growth ${formatHeapGrowth(heapGrowth)} --heap-compaction ${flags.heapCompaction}`,
  })
  applyHeapGrowth(heapGrowth, fleet)
  const stopCompaction = applyHeapCompaction(flags.heapCompaction, fleet)
  let interrupted = false
  const onSignal = (signal: NodeJS.Signals) => {
    if (interrupted) {
      // Second signal: stop waiting for clean disconnects, keep what is on disk.
      fleet.flushOutputs()
      process.exit(EXIT.interrupted)
    }
    interrupted = true
    process.stderr.write(`\nfleet-emu: ${signal} — stopping devices cleanly and flushing outputs (again to force)\n`)
    void fleet.stop({ reason: 'interrupted' })
  }
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)
  const progress = flags.progress && !flags.json ? new ProgressLine(fleet) : undefined
  try {
    await fleet.start()
    const log = (s: string) => process.stderr.write(s)
    log(`fleet-emu: ${fleet.name} — ${fleet.size} devices${deviceWorkers > 0 ? ` in ${workerThreads(deviceWorkers)}` : ''}, seed ${fleet.seed}, broker ${fleet.brokerUrl}${fleet.metricsUrl ? `, metrics ${fleet.metricsUrl}` : ''}\n`)
    progress?.start()
    const summary = await fleet.run()
    progress?.stop()
    if (fleet.failure) process.stderr.write(`fleet-emu: ${fleet.failure}\n`)
    if (flags.json) process.stdout.write(JSON.stringify({ ...summary, outDir, slis: fleet.report?.slis, thresholds: fleet.report?.thresholds }, null, 2) + '\n')
    else process.stdout.write(formatSummary(summary, outDir, fleet.report))
    if (fleet.failure) return EXIT.runtimeFailure
    if (summary.status === 'interrupted') return EXIT.interrupted
    return summary.verdict === 'fail' ? EXIT.thresholdsFailed : EXIT.ok
  } finally {
    stopCompaction()
    progress?.stop()
    process.off('SIGINT', onSignal)
    process.off('SIGTERM', onSignal)
  }
}
