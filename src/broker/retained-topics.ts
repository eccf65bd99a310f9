/** One topic level: what is retained at exactly this topic, and the levels below it. */
interface Level<T> {
  value: T | undefined
  children: Map<string, Level<T>> | undefined
}

const emptyLevel = <T>(): Level<T> => ({ value: undefined, children: undefined })

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
      level = level.children?.get(word)
      if (!level) return undefined
    }
    return level.value
  }

  set(topic: string, value: T): void {
    let level = this.root
    for (const word of topic.split('/')) {
      level.children ??= new Map()
      let next = level.children.get(word)
      if (!next) level.children.set(word, (next = emptyLevel()))
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
      const next = path[path.length - 1]!.children?.get(word)
      if (!next) return false
      path.push(next)
    }
    const leaf = path[path.length - 1]!
    if (leaf.value === undefined) return false
    leaf.value = undefined
    this.count--
    for (let i = words.length; i > 0; i--) {
      const level = path[i]!
      if (level.value !== undefined || level.children?.size) break
      const parent = path[i - 1]!
      parent.children!.delete(words[i - 1]!)
      if (parent.children!.size === 0) parent.children = undefined
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
    if (!level.children) return
    if (word !== '+') {
      const next = level.children.get(word)
      if (next) yield* this.walk(next, words, i + 1)
      return
    }
    for (const [key, next] of level.children) if (i > 0 || !key.startsWith('$')) yield* this.walk(next, words, i + 1)
  }

  /** Every value under `level`, depth first (iterative: topic trees can be deep). */
  private *below(level: Level<T>, skipDollar: boolean): Generator<T> {
    const stack: Level<T>[] = []
    for (const [key, next] of level.children ?? []) if (!skipDollar || !key.startsWith('$')) stack.push(next)
    stack.reverse()
    while (stack.length) {
      const next = stack.pop()!
      if (next.value !== undefined) yield next.value
      if (next.children) for (const child of [...next.children.values()].reverse()) stack.push(child)
    }
  }
}
