import type { DeviceProfile } from '../../spec/index.js'
import type { ConventionHost, PublishingConvention } from './convention.js'
import { GenericConvention } from './generic.js'
import { SparkplugConvention } from './sparkplug.js'

export * from './convention.js'
export { GenericConvention } from './generic.js'
export { SparkplugConvention, FW_PROPERTY } from './sparkplug.js'

/** The profile's `topics.convention`, bound to one device (`vars`: its id, group and profile name). */
export function createConvention(profile: DeviceProfile, vars: Record<string, string>, host: ConventionHost): PublishingConvention {
  const topics = profile.topics
  return topics.convention === 'sparkplug' ? new SparkplugConvention(topics, profile, vars, host) : new GenericConvention(topics, vars, host)
}
