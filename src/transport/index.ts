export * from './device-link.js'
export * from './mqtt-link.js'
export * from './in-process-link.js'
