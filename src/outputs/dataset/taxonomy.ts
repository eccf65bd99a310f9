/**
 * How each fault kind is classified as an anomaly in datasets: its family (point / contextual /
 * collective, the usual taxonomy of anomaly-detection benchmarks) and the layer it starts in.
 */
export type AnomalyFamily = 'point' | 'contextual' | 'collective'
export type AnomalyLayer = 'sensor' | 'device' | 'network' | 'fleet'

export const ANOMALY_TAXONOMY: Readonly<Record<string, { family: AnomalyFamily; layer: AnomalyLayer }>> = {
  // network and broker: the telemetry goes missing, late or twice
  disconnect: { family: 'collective', layer: 'network' },
  flap: { family: 'collective', layer: 'network' },
  partition: { family: 'collective', layer: 'network' },
  'reconnect-storm': { family: 'collective', layer: 'network' },
  latency: { family: 'collective', layer: 'network' },
  loss: { family: 'collective', layer: 'network' },
  bandwidth: { family: 'collective', layer: 'network' },
  'keepalive-stall': { family: 'collective', layer: 'network' },
  'auth-failure': { family: 'collective', layer: 'network' },
  'broker-restart': { family: 'collective', layer: 'network' },
  'broker-outage': { family: 'collective', layer: 'network' },
  'drop-acks': { family: 'collective', layer: 'network' },
  // bad values
  'telemetry.spike': { family: 'point', layer: 'sensor' },
  'telemetry.stuck': { family: 'collective', layer: 'sensor' },
  'telemetry.drift': { family: 'collective', layer: 'sensor' },
  'telemetry.offset': { family: 'collective', layer: 'sensor' },
  'telemetry.gain': { family: 'collective', layer: 'sensor' },
  'telemetry.noise': { family: 'collective', layer: 'sensor' },
  'telemetry.dropout': { family: 'collective', layer: 'sensor' },
  'telemetry.clipping': { family: 'contextual', layer: 'sensor' },
  'telemetry.nan': { family: 'point', layer: 'sensor' },
  'telemetry.unit-change': { family: 'collective', layer: 'device' },
  'telemetry.contextual': { family: 'contextual', layer: 'sensor' },
  'telemetry.shapelet': { family: 'collective', layer: 'sensor' },
  'telemetry.seasonal': { family: 'collective', layer: 'sensor' },
  'telemetry.decorrelation': { family: 'contextual', layer: 'sensor' },
  // bad messages
  'telemetry.malformed': { family: 'point', layer: 'device' },
  'telemetry.schema-drift': { family: 'collective', layer: 'device' },
  'telemetry.clock-skew': { family: 'collective', layer: 'device' },
  'telemetry.duplicate': { family: 'point', layer: 'network' },
  'telemetry.out-of-order': { family: 'point', layer: 'network' },
  'telemetry.delayed-burst': { family: 'collective', layer: 'network' },
  // devices
  'firmware-crash': { family: 'collective', layer: 'device' },
  'reboot-loop': { family: 'collective', layer: 'device' },
  'battery-drain': { family: 'contextual', layer: 'device' },
  'sensor-failure': { family: 'collective', layer: 'sensor' },
  'ota-failure': { family: 'collective', layer: 'device' },
  // fleet-wide incidents
  'cohort-shift': { family: 'collective', layer: 'fleet' },
  'regional-outage': { family: 'collective', layer: 'fleet' },
  'firmware-rollout': { family: 'collective', layer: 'fleet' },
  // propagated effects (records with a root_cause_id)
  'link-dropout': { family: 'collective', layer: 'network' },
  'battery-sag': { family: 'contextual', layer: 'device' },
  'battery-dead': { family: 'collective', layer: 'device' },
  'counter-reset': { family: 'point', layer: 'device' },
}
