import type { SignalSpec } from '../../spec/index.js'
import { constant, counter, randomWalk, sine } from './basic.js'
import { route } from './route.js'
import type { Signal, StreamFactory } from './signal.js'

export type { Signal, StreamFactory } from './signal.js'

export function createSignal(spec: SignalSpec, streams: StreamFactory): Signal {
  switch (spec.kind) {
    case 'constant':
      return constant(spec)
    case 'sine':
      return sine(spec, streams)
    case 'random-walk':
      return randomWalk(spec, streams)
    case 'counter':
      return counter(spec, streams)
    case 'route':
      return route(spec, streams)
  }
}
