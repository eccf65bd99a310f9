import type { FirmwareContext } from './kit.js'

/**
 * The retained firmware report (profile `firmware.reportTopic`), e.g.
 * `{"version":"2.0.0","previousVersion":"1.4.2","update":null,"lastUpdate":{"id":"ota-7","version":"2.0.0","status":"done","reason":"running 2.0.0"},"config":{}}`.
 * `update` is the update in progress (`{ id, version, stage, progress }`) or null. Keys are written in a
 * fixed order, so the same run gives the same bytes.
 */
export function encodeFirmwareReport(fw: FirmwareContext): string {
  const u = fw.update
  const last = fw.lastUpdate
  return JSON.stringify({
    version: fw.version,
    previousVersion: fw.previousVersion ?? null,
    update: u ? { id: u.cmdId, version: u.version, stage: u.stage, progress: Math.floor((u.downloadedBytes / u.sizeBytes) * 100) / 100 } : null,
    lastUpdate: last ? { id: last.cmdId, version: last.version, status: last.status, reason: last.reason } : null,
    config: { samplePeriodMs: fw.config.samplePeriodMs, thresholds: fw.config.thresholds },
  })
}
