import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics, type Metric } from 'prom-client'

/**
 * The fleet's Prometheus metrics (docs/metrics.md). `fleet_` prefix, base units, counters end in
 * `_total`; labels are profile / scenario / fault kind — never device id, so cardinality stays flat
 * at any fleet size. One registry per fleet, so several fleets can run in one test process.
 */
export class FleetMetrics {
  readonly registry = new Registry()
  readonly devices: Gauge<'profile' | 'state'>
  readonly connects: Counter<'profile' | 'outcome'>
  readonly disconnects: Counter<'profile' | 'reason'>
  readonly messages: Counter<'profile'>
  readonly bytes: Counter<'profile'>
  readonly droppedOffline: Counter<'profile'>
  readonly faultActivations: Counter<'kind'>
  readonly faultsActive: Gauge<'kind'>
  readonly commands: Counter<'profile' | 'command' | 'status'>
  readonly latency: Histogram<'profile'>
  readonly connectDuration: Histogram<'profile'>
  readonly reconnectDuration: Histogram<'profile' | 'kind'>
  readonly delivered: Counter
  readonly duplicates: Counter<'explained'>
  readonly reordered: Counter<'explained'>
  readonly inFlight: Gauge

  constructor(opts: {
    scenario: string
    collect?: () => void
    defaultMetrics?: boolean
    /**
     * Per-message totals by profile, read at scrape time. Counting them in plain numbers and handing
     * prom-client the totals when it is scraped keeps label lookups off the per-message path.
     */
    messageTotals?: () => Iterable<[profile: string, t: { messages: number; bytes: number; droppedOffline: number }]>
    /** The delivery probe's counts, read at scrape time like the message totals. */
    deliveryTotals?: () => DeliveryTotals
  }) {
    const r = this.registry
    r.setDefaultLabels({ scenario: opts.scenario })
    if (opts.defaultMetrics !== false) for (const m of processMetrics()) r.registerMetric(m)
    const collect = opts.collect
    this.devices = new Gauge({
      name: 'fleet_devices',
      help: 'Devices by profile and connectivity state (offline, connecting, online, backing-off, stopped).',
      labelNames: ['profile', 'state'],
      registers: [r],
      collect: collect ? () => collect() : undefined,
    })
    this.connects = new Counter({ name: 'fleet_connects_total', help: 'MQTT connect attempts by outcome (success, refused, unreachable, timeout).', labelNames: ['profile', 'outcome'], registers: [r] })
    this.disconnects = new Counter({ name: 'fleet_disconnects_total', help: 'Sessions that ended after being up, by reason.', labelNames: ['profile', 'reason'], registers: [r] })
    const totals = opts.messageTotals
    const fromTotals = (field: 'messages' | 'bytes' | 'droppedOffline') =>
      totals &&
      function (this: Counter<'profile'>) {
        this.reset()
        for (const [profile, t] of totals()) this.inc({ profile }, t[field])
      }
    this.messages = new Counter({ name: 'fleet_messages_published_total', help: 'Telemetry messages published.', labelNames: ['profile'], registers: [r], collect: fromTotals('messages') })
    this.bytes = new Counter({ name: 'fleet_published_bytes_total', help: 'Telemetry payload bytes published.', labelNames: ['profile'], registers: [r], collect: fromTotals('bytes') })
    this.droppedOffline = new Counter({ name: 'fleet_messages_dropped_offline_total', help: 'Samples dropped because the device was offline and its buffer full (or absent).', labelNames: ['profile'], registers: [r], collect: fromTotals('droppedOffline') })
    this.faultActivations = new Counter({ name: 'fleet_fault_activations_total', help: 'Fault activations, counted per affected device.', labelNames: ['kind'], registers: [r] })
    this.faultsActive = new Gauge({ name: 'fleet_faults_active', help: 'Devices currently under a fault, by kind.', labelNames: ['kind'], registers: [r] })
    this.commands = new Counter({ name: 'fleet_commands_total', help: 'Commands received by devices, by command and reply status.', labelNames: ['profile', 'command', 'status'], registers: [r] })
    this.latency = new Histogram({ name: 'fleet_message_latency_seconds', help: 'End-to-end telemetry latency: device publish → broker delivery (the delivery probe).', labelNames: ['profile'], buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10], registers: [r] })
    this.connectDuration = new Histogram({ name: 'fleet_connect_duration_seconds', help: 'Connect time: attempt start → online, every successful connect.', labelNames: ['profile'], buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30], registers: [r] })
    this.reconnectDuration = new Histogram({ name: 'fleet_reconnect_duration_seconds', help: 'Reconnect time: end of the fault that took a device offline → online again, by fault kind.', labelNames: ['profile', 'kind'], buckets: [0, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300], registers: [r] })
    const delivery = opts.deliveryTotals
    const fromDelivery = (read: (t: DeliveryTotals) => [Record<string, string>, number][]) =>
      delivery &&
      function (this: Counter<string> | Gauge<string>) {
        this.reset()
        for (const [labels, n] of read(delivery())) (this as Gauge<string>).inc(labels, n)
      }
    this.delivered = new Counter({ name: 'fleet_messages_delivered_total', help: 'Telemetry messages the delivery probe saw delivered (first copies).', registers: [r], collect: fromDelivery((t) => [[{}, t.delivered]]) })
    this.duplicates = new Counter({ name: 'fleet_message_duplicates_total', help: 'Extra deliveries of a message already delivered; explained="true" when a logged fault on the device covers it.', labelNames: ['explained'], registers: [r], collect: fromDelivery((t) => explainedSplit(t.duplicates, t.unexplainedDuplicates)) })
    this.reordered = new Counter({ name: 'fleet_messages_reordered_total', help: 'Messages delivered after a later message of the same device; explained as for duplicates.', labelNames: ['explained'], registers: [r], collect: fromDelivery((t) => explainedSplit(t.reordered, t.unexplainedReordered)) })
    this.inFlight = new Gauge({ name: 'fleet_messages_in_flight', help: 'Telemetry published and not delivered yet (what is still missing at the end of the run is loss).', registers: [r], collect: fromDelivery((t) => [[{}, t.inFlight]]) })
  }

  /** Cached per-profile children: label lookups stay off the per-message path. */
  private readonly latencyByProfile = new Map<string, { observe(v: number): void }>()
  observeLatency(profile: string, seconds: number): void {
    let child = this.latencyByProfile.get(profile)
    if (!child) this.latencyByProfile.set(profile, (child = this.latency.labels({ profile })))
    child.observe(seconds)
  }

  async text(): Promise<string> {
    return this.registry.metrics()
  }
}

/**
 * prom-client's default metrics (CPU, memory, heap, GC, event-loop lag), made once per process and
 * registered in every fleet's registry, which adds its own labels when it is scraped. They describe the
 * process, not a fleet; and each set of them holds a GC observer and an event-loop monitor that
 * nothing can remove, which would keep every fleet ever made in the process alive with its devices.
 */
let sharedProcessMetrics: Metric[] | undefined
function processMetrics(): Metric[] {
  if (!sharedProcessMetrics) {
    const r = new Registry()
    collectDefaultMetrics({ register: r, prefix: 'fleet_' })
    sharedProcessMetrics = r.getMetricsAsArray() as unknown as Metric[]
  }
  return sharedProcessMetrics
}

export interface DeliveryTotals {
  delivered: number
  duplicates: number
  unexplainedDuplicates: number
  reordered: number
  unexplainedReordered: number
  inFlight: number
}

function explainedSplit(all: number, unexplained: number): [Record<string, string>, number][] {
  return [
    [{ explained: 'true' }, all - unexplained],
    [{ explained: 'false' }, unexplained],
  ]
}
