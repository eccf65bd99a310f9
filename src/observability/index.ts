export * from './fleet-metrics.js'
export * from './metrics-server.js'
