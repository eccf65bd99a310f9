/** How many publishes of one wire seq are remembered per device (older ones were lost long ago). */
const DEPTH = 4

/**
 * A Sparkplug DDATA carries its own seq (0..255, wrapping, back to 0 at every birth), not the device's
 * telemetry seq that the delivery probe counts by. The device says which wire seq each telemetry seq
 * went out with; a delivery's wire seq is matched back to the latest telemetry seq published with it
 * (an older one with the same wire seq is 256 messages back: lost, or it would have arrived by now).
 */
export class WireSeqs {
  private readonly byDevice = new Map<string, (number[] | undefined)[]>()

  published(deviceId: string, wireSeq: number, seq: number): void {
    let slots = this.byDevice.get(deviceId)
    if (!slots) this.byDevice.set(deviceId, (slots = []))
    const slot = (slots[wireSeq] ??= [])
    slot.push(seq)
    if (slot.length > DEPTH) slot.shift()
  }

  /** The telemetry seq of a delivered wire seq; undefined when none was published with it. */
  delivered(deviceId: string, wireSeq: number): number | undefined {
    return this.byDevice.get(deviceId)?.[wireSeq]?.pop()
  }
}
