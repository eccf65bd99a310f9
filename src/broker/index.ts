export * from './embedded-broker.js'
export * from './broker-thread.js'
export * from './shard-channel.js'
export * from './shard-host.js'
