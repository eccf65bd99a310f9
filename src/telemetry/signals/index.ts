import type { SignalSpec } from '../../spec/index.js'
import { constant, counter, randomWalk, sine } from './basic.js'
import { correlated } from './correlated.js'
import { diurnal } from './diurnal.js'
import { markov } from './markov.js'
import { ou } from './ou.js'
import { route } from './route.js'
import type { Signal, StreamFactory } from './signal.js'
import { step } from './step.js'

export type { PeerValues, Signal, StreamFactory } from './signal.js'

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
    case 'diurnal':
      return diurnal(spec)
    case 'ou':
      return ou(spec, streams)
    case 'markov':
      return markov(spec, streams)
    case 'step':
      return step(spec)
    case 'correlated':
      return correlated(spec, streams)
  }
}
