export * from './signals/index.js'
export * from './sensor-channel.js'
export * from './codecs/json.js'
export * from './mutators.js'
