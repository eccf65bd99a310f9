// Writes deploy/grafana/fleet-emu.dashboard.json: `npx tsx scripts/gen-grafana.ts` (`--print`: to stdout). A test checks the
// file is current and that every metric its queries use is one fleet-emu serves.
import { writeFileSync } from 'node:fs'

interface Target {
  expr: string
  legend: string
}
interface PanelSpec {
  title: string
  description: string
  unit: string
  targets: Target[]
  stack?: boolean
}

const S = '{scenario=~"$scenario"}'
const by = (labels: string, sel = S) => sel.replace('}', `${labels}}`)

const rows: { title: string; panels: PanelSpec[] }[] = [
  {
    title: 'Fleet',
    panels: [
      { title: 'Devices by connectivity state', description: 'fleet_devices: devices per state (online, connecting, backing-off, offline, stopped).', unit: 'short', stack: true, targets: [{ expr: `sum by (state) (fleet_devices${S})`, legend: '{{state}}' }] },
      { title: 'Connects by outcome', description: 'MQTT connect attempts per second by outcome.', unit: 'ops', targets: [{ expr: `sum by (outcome) (rate(fleet_connects_total${S}[1m]))`, legend: '{{outcome}}' }] },
      { title: 'Connect success rate', description: 'Successful connects / attempts over 5 minutes.', unit: 'percentunit', targets: [{ expr: `sum(rate(fleet_connects_total${by(',outcome="success"')}[5m])) / sum(rate(fleet_connects_total${S}[5m]))`, legend: 'success rate' }] },
      { title: 'Devices under a fault, by kind', description: 'fleet_faults_active: open fault-log records by fault kind.', unit: 'short', stack: true, targets: [{ expr: `sum by (kind) (fleet_faults_active${S})`, legend: '{{kind}}' }] },
    ],
  },
  {
    title: 'Messages',
    panels: [
      {
        title: 'Telemetry published vs delivered',
        description: 'Messages/s devices published and the delivery probe saw delivered.',
        unit: 'ops',
        targets: [
          { expr: `sum(rate(fleet_messages_published_total${S}[1m]))`, legend: 'published' },
          { expr: `sum(rate(fleet_messages_delivered_total${S}[1m]))`, legend: 'delivered' },
        ],
      },
      {
        title: 'End-to-end latency',
        description: 'Device publish → broker delivery, from fleet_message_latency_seconds.',
        unit: 's',
        targets: ['0.5', '0.95', '0.99'].map((q) => ({ expr: `histogram_quantile(${q}, sum by (le) (rate(fleet_message_latency_seconds_bucket${S}[1m])))`, legend: `p${Number(q) * 100}` })),
      },
      {
        title: 'In flight, duplicates, reordered',
        description: 'Messages not delivered yet; duplicate and out-of-order deliveries per second, explained (a logged fault covers them) or not.',
        unit: 'short',
        targets: [
          { expr: `sum(fleet_messages_in_flight${S})`, legend: 'in flight' },
          { expr: `sum by (explained) (rate(fleet_message_duplicates_total${S}[1m]))`, legend: 'duplicates/s explained={{explained}}' },
          { expr: `sum by (explained) (rate(fleet_messages_reordered_total${S}[1m]))`, legend: 'reordered/s explained={{explained}}' },
        ],
      },
      { title: 'Dropped while offline', description: 'Samples dropped because the device was offline with a full (or no) buffer.', unit: 'ops', targets: [{ expr: `sum by (profile) (rate(fleet_messages_dropped_offline_total${S}[1m]))`, legend: '{{profile}}' }] },
    ],
  },
  {
    title: 'Reconnects',
    panels: [
      { title: 'Reconnect time p95 by fault kind', description: 'Fault end → online again, from fleet_reconnect_duration_seconds.', unit: 's', targets: [{ expr: `histogram_quantile(0.95, sum by (le, kind) (rate(fleet_reconnect_duration_seconds_bucket${S}[5m])))`, legend: '{{kind}}' }] },
      { title: 'Connect time', description: 'Attempt start → online, from fleet_connect_duration_seconds.', unit: 's', targets: ['0.5', '0.95'].map((q) => ({ expr: `histogram_quantile(${q}, sum by (le) (rate(fleet_connect_duration_seconds_bucket${S}[1m])))`, legend: `p${Number(q) * 100}` })) },
      { title: 'Disconnects by reason', description: 'Sessions that ended after being up, per second.', unit: 'ops', targets: [{ expr: `sum by (reason) (rate(fleet_disconnects_total${S}[1m]))`, legend: '{{reason}}' }] },
    ],
  },
  {
    title: 'Emulator process',
    panels: [
      {
        title: 'Memory',
        description: 'The emulator process: resident set and V8 heap used.',
        unit: 'bytes',
        targets: [
          { expr: `fleet_process_resident_memory_bytes${S}`, legend: 'RSS' },
          { expr: `fleet_nodejs_heap_size_used_bytes${S}`, legend: 'heap used' },
        ],
      },
      { title: 'Event-loop lag p99', description: 'If this climbs, the emulator (not the system under test) is the bottleneck.', unit: 's', targets: [{ expr: `fleet_nodejs_eventloop_lag_p99_seconds${S}`, legend: 'p99' }] },
      { title: 'CPU', description: 'Process CPU, cores used.', unit: 'short', targets: [{ expr: `rate(fleet_process_cpu_seconds_total${S}[1m])`, legend: 'cores' }] },
    ],
  },
]

let id = 1
let y = 0
const panels: unknown[] = []
for (const row of rows) {
  panels.push({ id: id++, type: 'row', title: row.title, collapsed: false, gridPos: { h: 1, w: 24, x: 0, y: y++ }, panels: [] })
  const w = Math.floor(24 / row.panels.length)
  row.panels.forEach((p, i) => {
    panels.push({
      id: id++,
      type: 'timeseries',
      title: p.title,
      description: p.description,
      datasource: { type: 'prometheus', uid: '${datasource}' },
      gridPos: { h: 8, w, x: i * w, y },
      fieldConfig: { defaults: { unit: p.unit, custom: { fillOpacity: p.stack ? 30 : 5, stacking: { mode: p.stack ? 'normal' : 'none' } } }, overrides: [] },
      options: { legend: { displayMode: 'list', placement: 'bottom' }, tooltip: { mode: 'multi' } },
      targets: p.targets.map((t, k) => ({ refId: String.fromCharCode(65 + k), expr: t.expr, legendFormat: t.legend, datasource: { type: 'prometheus', uid: '${datasource}' } })),
    })
  })
  y += 8
}

const dashboard = {
  title: 'fleet-emu',
  uid: 'fleet-emu',
  description: 'fleet-emu soak runs: devices, connects, delivery (latency, loss, duplicates), reconnects, and the emulator process. See docs/metrics.md.',
  tags: ['fleet-emu', 'mqtt', 'iot'],
  timezone: 'utc',
  refresh: '5s',
  schemaVersion: 39,
  time: { from: 'now-30m', to: 'now' },
  templating: {
    list: [
      { name: 'datasource', type: 'datasource', query: 'prometheus', label: 'Prometheus' },
      { name: 'scenario', type: 'query', label: 'scenario', datasource: { type: 'prometheus', uid: '${datasource}' }, query: 'label_values(fleet_devices, scenario)', includeAll: true, multi: true, current: { text: 'All', value: '$__all' }, refresh: 2 },
    ],
  },
  annotations: { list: [] },
  panels,
}

const text = JSON.stringify(dashboard, null, 2) + '\n'
if (process.argv.includes('--print')) process.stdout.write(text)
else {
  writeFileSync('deploy/grafana/fleet-emu.dashboard.json', text)
  console.log('wrote deploy/grafana/fleet-emu.dashboard.json')
}
