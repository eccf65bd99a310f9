export * from './embedded-broker.js'
