export * from './device-link.js'
export * from './mqtt-link.js'
