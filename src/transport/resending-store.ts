import { Store } from 'mqtt'

interface StoredPacket {
  messageId?: number
  cmd?: string
  dup?: boolean
}

/**
 * The in-flight packets of one device, in the order first stored: what MQTT.js's Store keeps in a
 * Map (set/get/delete/forEach are all it uses). A device has one or two QoS 1 publishes in flight
 * at a time, and a Map that fills and empties every second re-makes its hash table every few
 * messages: each a table that lives seconds, long enough to reach the old generation (~150 bytes per
 * device per second in a soak). Slots in a plain array are written over; it only ever grows, and is
 * let go once empty after a large flush.
 */
export class InflightPackets<P extends StoredPacket> {
  private slots: (P | undefined)[] = []
  private count = 0

  get size(): number {
    return this.count
  }

  set(messageId: number | undefined, packet: P): this {
    const i = this.indexOf(messageId)
    if (i >= 0) this.slots[i] = packet
    else if (this.count < this.slots.length) this.slots[this.count++] = packet
    else {
      this.slots.push(packet)
      this.count++
    }
    return this
  }

  get(messageId: number | undefined): P | undefined {
    const i = this.indexOf(messageId)
    return i < 0 ? undefined : this.slots[i]
  }

  delete(messageId: number | undefined): boolean {
    const i = this.indexOf(messageId)
    if (i < 0) return false
    const s = this.slots
    const last = --this.count
    for (let j = i; j < last; j++) s[j] = s[j + 1]
    s[last] = undefined
    // After an offline buffer's flush (dozens or hundreds in flight) the slots are not kept for good:
    // ~400 B a device that an outage touched, at 30 in flight. A steady publisher has one or two.
    if (last === 0 && s.length > 8) this.slots = []
    return true
  }

  forEach(fn: (packet: P, messageId: number | undefined) => void): void {
    for (const p of this.slots.slice(0, this.count)) fn(p!, p!.messageId)
  }

  values(): IterableIterator<P> {
    return (this.slots.slice(0, this.count) as P[]).values()
  }

  // Acknowledgements come in order, so the packet is nearly always the first.
  private indexOf(messageId: number | undefined): number {
    const s = this.slots
    for (let i = 0; i < this.count; i++) if (s[i]!.messageId === messageId) return i
    return -1
  }
}

/**
 * MQTT.js's memory store, with two changes: packets read back for resending on a new connection
 * carry DUP=1, as MQTT 3.1.1 §3.3.1.1 requires of a redelivered PUBLISH (MQTT.js resends them
 * without it), and the packets are kept in an {@link InflightPackets} instead of a Map.
 */
export class ResendingStore extends Store {
  private readonly inflight = new InflightPackets<StoredPacket>()

  constructor(options?: ConstructorParameters<typeof Store>[0]) {
    super(options)
    ;(this as unknown as { _inflights: unknown })._inflights = this.inflight
  }

  /** Packets stored and not yet acknowledged. */
  get size(): number {
    return this.inflight.size
  }

  override createStream() {
    // Anything still stored when a connection starts is a redelivery.
    for (const packet of this.inflight.values()) if (packet.cmd === 'publish') packet.dup = true
    return super.createStream()
  }
}

/** More packets in flight at once than a device at its usual rate has (what counts as a burst). */
const BURST = 8

/**
 * Packet ids that stay small: counting up from 1 again whenever nothing is in flight (no packet
 * awaiting its acknowledgement, none stored for resending). MQTT.js's default counts on through
 * 65535 from a random start, and keys its pending acknowledgements by id in a plain object (and
 * this store by id too). With small ids the soak's old-generation inflow was ~80 bytes/device/s lower
 * (bench/README.md, "Less old-generation garbage per message"). With one publish in flight at a time,
 * a device's ids are 1, 1, 1…, which the broker sees as any device reusing a freed id (MQTT 3.1.1
 * §2.3.1). Otherwise it counts up and wraps as the default does.
 */
export class SmallMessageIds {
  private next = 1
  private last: number | null = null
  private inFlight = 0
  /** Most in flight at once since nothing was. */
  private peak = 0

  /**
   * `onDrained`: called when nothing is in flight any more after more than {@link BURST} were (an
   * offline buffer sent on reconnect): the client's table of pending acknowledgements kept the room
   * the burst took, and may start afresh.
   */
  constructor(
    private readonly store: ResendingStore,
    private readonly onDrained?: () => void,
  ) {}

  allocate(): number {
    if (this.inFlight === 0 && this.store.size === 0) this.next = 1
    const id = this.next
    this.next = id === 65535 ? 1 : id + 1
    if (++this.inFlight > this.peak) this.peak = this.inFlight
    this.last = id
    return id
  }

  getLastAllocated(): number | null {
    return this.last
  }

  /** A stored packet resent with its own id: counted, and new ids are not taken from below it. */
  register(id: number): boolean {
    if (++this.inFlight > this.peak) this.peak = this.inFlight
    if (id >= this.next) this.next = id === 65535 ? 1 : id + 1
    return true
  }

  deallocate(): void {
    if (this.inFlight > 0 && --this.inFlight === 0) {
      if (this.peak > BURST) this.onDrained?.()
      this.peak = 0
    }
  }

  clear(): void {
    this.inFlight = 0
    this.peak = 0
  }
}
