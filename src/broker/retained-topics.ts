/**
 * One topic level: what is retained at exactly this topic, and the levels below it. A level with one
 * level below it (a device's own branch, `vx-00001` → `status`) holds it in `onlyKey`/`only`, not in
 * a Map: a Map of one costs ~100 bytes, and a fleet has one such level per device. Measured with
 * 100,000 `devices/vx-NNNNN/status` topics: 165 bytes of heap a topic, about half what a Map on every
 * level took (a flat Map of topics, which cannot answer wildcards without a scan: 34–37;
 * `node --expose-gc bench/retained-topics-memory.mjs`).
 */
interface Level<T> {
  value: T | undefined
  onlyKey: string | undefined
  only: Level<T> | undefined
  children: Map<string, Level<T>> | undefined
}

const emptyLevel = <T>(): Level<T> => ({ value: undefined, onlyKey: undefined, only: undefined, children: undefined })

function childOf<T>(level: Level<T>, word: string): Level<T> | undefined {
  if (level.only) return level.onlyKey === word ? level.only : undefined
  return level.children?.get(word)
}

function addChild<T>(level: Level<T>, word: string, next: Level<T>): void {
  if (level.children) level.children.set(word, next)
  else if (level.only) {
    level.children = new Map([[level.onlyKey!, level.only], [word, next]])
    level.onlyKey = level.only = undefined
  } else {
    level.onlyKey = word
    level.only = next
  }
}

function removeChild<T>(level: Level<T>, word: string): void {
  if (level.only) {
    level.onlyKey = level.only = undefined
    return
  }
  level.children!.delete(word)
  if (level.children!.size === 0) level.children = undefined
}

function hasChildren<T>(level: Level<T>): boolean {
  return level.only !== undefined || level.children !== undefined
}

/** The levels below `level` with their words, in the order first stored. */
function* childrenOf<T>(level: Level<T>): Generator<[string, Level<T>]> {
  if (level.only) yield [level.onlyKey!, level.only]
  else if (level.children) yield* level.children
}

/**
 * Retained messages by topic, as a tree of topic levels, so a SUBSCRIBE finds what it matches by
 * walking its filter: an exact filter is one path, `devices/vx-00001/commands/#` a path and the
 * subtree under it, `devices/+/status` one step into every device. A flat map answers a wildcard
 * filter only by testing every retained topic: O(retained) per SUBSCRIBE, O(devices²) over a connect
 * ramp whose devices subscribe with wildcards (10,000 MQTT.js clients subscribing to
 * `devices/{id}/commands/#` as they connect: all online after 4.0–4.3 s with the scan, 3.4–3.6 s with
 * the tree; `node bench/device-memory.mjs --wildcard-subscribe`'s raw side).
 *
 * Matches come in tree order (level by level, each level's topics in the order first stored), not in
 * the order the topics were stored as aedes' own store gives them; MQTT promises no order across topics.
 *
 * Matching follows MQTT 3.1.1 §4.7: `+` is one level (an empty one too), `#` (last) is any number of
 * levels including none (`a/#` matches `a`), and a filter starting with a wildcard matches no topic
 * starting with `$`.
 */
export class RetainedTopics<T> {
  private readonly root: Level<T> = emptyLevel()
  private count = 0

  get size(): number {
    return this.count
  }

  get(topic: string): T | undefined {
    let level: Level<T> | undefined = this.root
    for (const word of topic.split('/')) {
      level = childOf(level, word)
      if (!level) return undefined
    }
    return level.value
  }

  set(topic: string, value: T): void {
    let level = this.root
    for (const word of topic.split('/')) {
      let next = childOf(level, word)
      if (!next) addChild(level, word, (next = emptyLevel()))
      level = next
    }
    if (level.value === undefined) this.count++
    level.value = value
  }

  /** Removes `topic`'s value and the levels left holding nothing, so cleared topics cost no memory. */
  delete(topic: string): boolean {
    const words = topic.split('/')
    const path: Level<T>[] = [this.root]
    for (const word of words) {
      const next = childOf(path[path.length - 1]!, word)
      if (!next) return false
      path.push(next)
    }
    const leaf = path[path.length - 1]!
    if (leaf.value === undefined) return false
    leaf.value = undefined
    this.count--
    for (let i = words.length; i > 0; i--) {
      const level = path[i]!
      if (level.value !== undefined || hasChildren(level)) break
      removeChild(path[i - 1]!, words[i - 1]!)
    }
    return true
  }

  /** Every value whose topic `filter` matches, each once. */
  *match(filter: string): Generator<T> {
    yield* this.walk(this.root, filter.split('/'), 0)
  }

  private *walk(level: Level<T>, words: string[], i: number): Generator<T> {
    if (i === words.length) {
      if (level.value !== undefined) yield level.value
      return
    }
    const word = words[i]!
    if (word === '#') {
      // `a/#` matches `a` itself, then everything under it (the root holds no value: `` is a level too).
      if (level.value !== undefined) yield level.value
      yield* this.below(level, i === 0)
      return
    }
    if (word !== '+') {
      const next = childOf(level, word)
      if (next) yield* this.walk(next, words, i + 1)
      return
    }
    for (const [key, next] of childrenOf(level)) if (i > 0 || !key.startsWith('$')) yield* this.walk(next, words, i + 1)
  }

  /** Every value under `level`, depth first (iterative: topic trees can be deep). */
  private *below(level: Level<T>, skipDollar: boolean): Generator<T> {
    const stack: Level<T>[] = []
    for (const [key, next] of childrenOf(level)) if (!skipDollar || !key.startsWith('$')) stack.push(next)
    stack.reverse()
    while (stack.length) {
      const next = stack.pop()!
      if (next.value !== undefined) yield next.value
      if (next.only) stack.push(next.only)
      else if (next.children) for (const child of [...next.children.values()].reverse()) stack.push(child)
    }
  }
}
