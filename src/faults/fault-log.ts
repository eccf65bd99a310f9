/**
 * Ground truth: exactly which device a fault affected, from when to when, on the run's clock. Labels
 * in datasets and loss accounting in reports are read from here, never re-derived.
 */
export interface FaultRecord {
  fault_id: string
  kind: string
  device_id: string
  /** Epoch ms on the run clock. */
  start_ms: number
  end_ms: number
  start: string
  end: string
  params: Record<string, unknown>
  /**
   * For a propagated effect (a device's link dropout after a regional outage, its battery sag under a
   * drain fault): the fault that caused it, logged with it as it happened. Null for the faults
   * themselves (each is its own root cause).
   */
  root_cause_id: string | null
  /** True when the run stopped before the fault ended; end is the stop time. */
  truncated: boolean
  /** `plan` (fleet file) or `runtime` (fleet.inject). */
  source: 'plan' | 'runtime'
}

interface OpenRecord {
  kind: string
  startMs: number
  params: Record<string, unknown>
  source: FaultRecord['source']
  rootCauseId: string | null
}

/** `rootCauseId` is null for a fault, its cause's id for a propagated effect. */
export type StartListener = (faultId: string, kind: string, deviceId: string, atMs: number, rootCauseId: string | null, params: Record<string, unknown>, source: FaultRecord['source']) => void

const EMPTY: ReadonlyMap<string, { kind: string; params: Record<string, unknown> }> = new Map<string, never>()

export class FaultLog {
  private readonly open = new Map<string, OpenRecord>()
  /** device id → fault id → its open record: what is active on a device right now. */
  private readonly openByDevice = new Map<string, Map<string, OpenRecord>>()
  private readonly closed: FaultRecord[] = []
  private readonly listeners: ((r: FaultRecord) => void)[] = []
  private readonly startListeners: StartListener[] = []

  /**
   * `retain: false`: closed records go to the listeners only ({@link records} stays empty) — for a
   * long run whose records are streamed to faults.jsonl, or a device shard whose main thread keeps them.
   */
  constructor(private readonly opts: { retain?: boolean } = {}) {}

  /** Called with each record as it closes (outputs stream them to faults.jsonl). */
  onRecord(listener: (r: FaultRecord) => void): void {
    this.listeners.push(listener)
  }

  /** Called as each (fault, device) record opens (the delivery probe keeps its fault windows from these). */
  onStart(listener: StartListener): void {
    this.startListeners.push(listener)
  }

  /** Opens a record; `rootCauseId` for a propagated effect (see {@link FaultRecord.root_cause_id}). */
  start(faultId: string, kind: string, deviceId: string, atMs: number, params: Record<string, unknown>, source: FaultRecord['source'], rootCauseId: string | null = null): void {
    const record: OpenRecord = { kind, startMs: atMs, params, source, rootCauseId }
    this.open.set(`${faultId}\u0000${deviceId}`, record)
    const onDevice = this.openByDevice.get(deviceId) ?? this.openByDevice.set(deviceId, new Map()).get(deviceId)!
    onDevice.set(faultId, record)
    for (const l of this.startListeners) l(faultId, kind, deviceId, atMs, rootCauseId, params, source)
  }

  /**
   * Closes (fault, device) with a record made elsewhere (a device shard's log in another thread), as
   * that log closed it.
   */
  closeWith(record: FaultRecord): void {
    this.forget(record.fault_id, record.device_id)
    if (this.opts.retain !== false) this.closed.push(record)
    for (const l of this.listeners) l(record)
  }

  end(faultId: string, deviceId: string, atMs: number, truncated = false): FaultRecord | undefined {
    const key = `${faultId}\u0000${deviceId}`
    const o = this.open.get(key)
    if (!o) return undefined
    this.forget(faultId, deviceId)
    const record: FaultRecord = {
      fault_id: faultId,
      kind: o.kind,
      device_id: deviceId,
      start_ms: o.startMs,
      end_ms: atMs,
      start: new Date(o.startMs).toISOString(),
      end: new Date(atMs).toISOString(),
      params: o.params,
      root_cause_id: o.rootCauseId,
      truncated,
      source: o.source,
    }
    if (this.opts.retain !== false) this.closed.push(record)
    for (const l of this.listeners) l(record)
    return record
  }

  /**
   * Forgets an open record without closing it (nothing is recorded or told): an effect that ended the
   * instant it began did not happen.
   */
  discard(faultId: string, deviceId: string): void {
    this.forget(faultId, deviceId)
  }

  /** Drops (fault, device) from the open records; a device with none left has no map (10,000 empty ones add up). */
  private forget(faultId: string, deviceId: string): void {
    this.open.delete(`${faultId}\u0000${deviceId}`)
    const onDevice = this.openByDevice.get(deviceId)
    if (onDevice?.delete(faultId) && onDevice.size === 0) this.openByDevice.delete(deviceId)
  }

  /** When the open record of (fault, device) started, epoch ms; undefined when none is open. */
  openSince(faultId: string, deviceId: string): number | undefined {
    return this.open.get(`${faultId}\u0000${deviceId}`)?.startMs
  }

  /** Closes every open record at `atMs`, marked truncated (the run stopped first). */
  closeAll(atMs: number): void {
    for (const key of [...this.open.keys()]) {
      const [faultId, deviceId] = key.split('\u0000') as [string, string]
      this.end(faultId, deviceId, atMs, true)
    }
  }

  /** Faults active on a device now (fault id → kind and params); empty map when none. */
  activeOn(deviceId: string): ReadonlyMap<string, { kind: string; params: Record<string, unknown> }> {
    return this.openByDevice.get(deviceId) ?? EMPTY
  }

  isActive(faultId: string, deviceId: string): boolean {
    return this.open.has(`${faultId}\u0000${deviceId}`)
  }

  get records(): readonly FaultRecord[] {
    return this.closed
  }

  /** Active (device, fault) pairs by kind: the faults themselves, not their propagated effects. */
  activeByKind(): Map<string, number> {
    const m = new Map<string, number>()
    for (const o of this.open.values()) if (o.rootCauseId === null) m.set(o.kind, (m.get(o.kind) ?? 0) + 1)
    return m
  }

  /** Open records of propagated effects (see {@link FaultRecord.root_cause_id}). */
  get openEffects(): number {
    let n = 0
    for (const o of this.open.values()) if (o.rootCauseId !== null) n++
    return n
  }
}
