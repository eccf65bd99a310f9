import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client'

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

  constructor(opts: {
    scenario: string
    collect?: () => void
    defaultMetrics?: boolean
    /**
     * Per-message totals by profile, read at scrape time. Counting them in plain numbers and handing
     * prom-client the totals when it is scraped keeps label lookups off the per-message path.
     */
    messageTotals?: () => Iterable<[profile: string, t: { messages: number; bytes: number; droppedOffline: number }]>
  }) {
    const r = this.registry
    r.setDefaultLabels({ scenario: opts.scenario })
    if (opts.defaultMetrics !== false) collectDefaultMetrics({ register: r, prefix: 'fleet_' })
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
  }

  async text(): Promise<string> {
    return this.registry.metrics()
  }
}
