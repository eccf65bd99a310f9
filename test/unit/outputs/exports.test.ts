import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { AppendFiles, createDatasetExports, safeFileName, type ExportAnomaly } from '../../../src/outputs/dataset/exports.js'
import type { TelemetryRow } from '../../../src/outputs/dataset/row.js'

const T0 = Date.UTC(2026, 0, 5, 0, 0, 0)

function r(ts: number, device: string, sensor: string, seq: number, value: number | null, anomalyIds = ''): TelemetryRow {
  return {
    ts,
    ts_device: ts,
    device_id: device,
    profile: 'thermo',
    sensor,
    value,
    value_clean: value === null || Number.isNaN(value) ? 0 : value,
    is_anomaly: anomalyIds !== '',
    anomaly_ids: anomalyIds,
    seq,
    connectivity: 'online',
    battery: 90,
    firmware_version: '1.0.0',
  }
}

/** Three minutes of two devices (one with a name that is not a safe file name) and a silent third. */
const ROWS: TelemetryRow[] = [
  r(T0, 'dev-a', 'temp', 1, 20.5),
  r(T0, 'dev-a', 'hum', 1, 40),
  r(T0 + 250, 'dev/b', 'temp', 10, 7),
  r(T0 + 1_000, 'dev-c', 'temp', 0, null),
  r(T0 + 60_000, 'dev-a', 'temp', 2, null, 'a1'),
  r(T0 + 60_000, 'dev-a', 'hum', 2, 41.25, 'a1'),
  r(T0 + 60_250, 'dev/b', 'temp', 11, Number.NaN, 'a2'),
  r(T0 + 120_000, 'dev-a', 'temp', 3, 21),
  r(T0 + 120_000, 'dev-a', 'hum', 3, 42),
  r(T0 + 120_250, 'dev/b', 'temp', 12, -3.5),
]

const ANOMALIES: ExportAnomaly[] = [
  // Every sensor of dev-a, sub-second bounds (widened to whole seconds in NAB).
  { anomaly_id: 'a1', devices: ['dev-a'], sensors: [], start_ms: T0 + 59_500, end_ms: T0 + 60_000 },
  // A device that is not in the data (another shard's) is skipped.
  { anomaly_id: 'a2', devices: ['dev/b', 'ghost'], sensors: ['temp'], start_ms: T0 + 60_250, end_ms: T0 + 61_500 },
  // Touches a1's window on dev-a/hum: merged into one window there.
  { anomaly_id: 'a3', devices: ['dev-a'], sensors: ['hum'], start_ms: T0 + 60_500, end_ms: T0 + 90_000 },
]

const EXPECTED: Record<string, string> = {
  'nab/data/dev-a/temp.csv': 'timestamp,value\n2026-01-05 00:00:00,20.5\n2026-01-05 00:02:00,21\n',
  'nab/data/dev-a/hum.csv': 'timestamp,value\n2026-01-05 00:00:00,40\n2026-01-05 00:01:00,41.25\n2026-01-05 00:02:00,42\n',
  'nab/data/dev%2Fb/temp.csv': 'timestamp,value\n2026-01-05 00:00:00,7\n2026-01-05 00:01:00,NaN\n2026-01-05 00:02:00,-3.5\n',
  'nab/data/dev-c/temp.csv': 'timestamp,value\n',
  'nab/labels/combined_windows.json': `{
    "dev%2Fb/temp.csv": [
        [
            "2026-01-05 00:01:00.000000",
            "2026-01-05 00:01:02.000000"
        ]
    ],
    "dev-a/hum.csv": [
        [
            "2026-01-05 00:00:59.000000",
            "2026-01-05 00:01:30.000000"
        ]
    ],
    "dev-a/temp.csv": [
        [
            "2026-01-05 00:00:59.000000",
            "2026-01-05 00:01:00.000000"
        ]
    ],
    "dev-c/temp.csv": []
}
`,
  'timeeval/dev-a.csv':
    'timestamp,value-0,value-1,is_anomaly\n' +
    '2026-01-05T00:00:00.000Z,20.5,40,0\n' +
    '2026-01-05T00:01:00.000Z,,41.25,1\n' +
    '2026-01-05T00:02:00.000Z,21,42,0\n',
  'timeeval/dev-a.columns.json': '{\n  "value-0": "temp",\n  "value-1": "hum"\n}\n',
  'timeeval/dev%2Fb.csv':
    'timestamp,value-0,is_anomaly\n' +
    '2026-01-05T00:00:00.250Z,7,0\n' +
    '2026-01-05T00:01:00.250Z,NaN,1\n' +
    '2026-01-05T00:02:00.250Z,-3.5,0\n',
  'timeeval/dev%2Fb.columns.json': '{\n  "value-0": "temp"\n}\n',
  'timeeval/dev-c.csv': 'timestamp,value-0,is_anomaly\n2026-01-05T00:00:01.000Z,,0\n',
  'timeeval/dev-c.columns.json': '{\n  "value-0": "temp"\n}\n',
}

let dir: string
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'fleet-emu-exports-'))
})
afterEach(() => {
  rmSync(dir, { recursive: true, force: true })
})

/** Every file under `root`, relative path → content. */
function tree(root: string): Record<string, string> {
  const out: Record<string, string> = {}
  for (const entry of readdirSync(root, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue
    const file = join(entry.parentPath, entry.name)
    out[relative(root, file)] = readFileSync(file, 'utf8')
  }
  return out
}

async function exportAll(out: string, opts: Parameters<typeof createDatasetExports>[1] = {}) {
  const exp = createDatasetExports(out, opts)
  for (const row of ROWS) exp.write(row)
  return exp.close(ANOMALIES)
}

describe('createDatasetExports', () => {
  it('writes the NAB and TimeEval layouts, byte for byte', async () => {
    const out = join(dir, 'exports')
    const { files } = await exportAll(out)
    expect(tree(out)).toEqual(EXPECTED)
    expect(files).toEqual(Object.keys(EXPECTED).map((f) => join(out, f)).sort())
  })

  it('gives the same bytes whatever the buffering and descriptor limits', async () => {
    const out = join(dir, 'tight')
    await exportAll(out, { maxOpenFiles: 1, maxBufferedBytes: 1 })
    expect(tree(out)).toEqual(EXPECTED)
  })

  it('overwrites the files of an earlier run instead of appending to them', async () => {
    const out = join(dir, 'twice')
    await exportAll(out, { maxBufferedBytes: 1 })
    await exportAll(out, { maxBufferedBytes: 1 })
    expect(tree(out)).toEqual(EXPECTED)
  })

  it('orders TimeEval columns by sensorsOf when given, with empty cells for sensors without a row', async () => {
    const out = join(dir, 'ordered')
    const exp = createDatasetExports(out, { sensorsOf: (d) => (d === 'dev-a' ? ['hum', 'temp', 'pressure'] : ['temp']) })
    for (const row of ROWS) exp.write(row)
    await exp.close([])
    const files = tree(out)
    expect(files['timeeval/dev-a.csv']).toBe(
      'timestamp,value-0,value-1,value-2,is_anomaly\n' +
        '2026-01-05T00:00:00.000Z,40,20.5,,0\n' +
        '2026-01-05T00:01:00.000Z,41.25,,,1\n' +
        '2026-01-05T00:02:00.000Z,42,21,,0\n',
    )
    expect(JSON.parse(files['timeeval/dev-a.columns.json']!)).toEqual({ 'value-0': 'hum', 'value-1': 'temp', 'value-2': 'pressure' })
    expect(JSON.parse(files['nab/labels/combined_windows.json']!)['dev-a/hum.csv']).toEqual([])
  })

  it('refuses a row for a sensor outside the device’s columns, naming it', async () => {
    const exp = createDatasetExports(join(dir, 'bad'), { sensorsOf: () => ['temp'] })
    exp.write(r(T0, 'dev-a', 'temp', 1, 1))
    expect(() => exp.write(r(T0, 'dev-a', 'hum', 1, 1))).toThrow(/device "dev-a" has a row for sensor "hum"/)
    await exp.close([])
  })

  it('keeps TimeEval lines apart when a device’s samples interleave with other devices’ rows', async () => {
    const out = join(dir, 'interleaved')
    const exp = createDatasetExports(out)
    exp.write(r(T0, 'x', 's1', 1, 1))
    exp.write(r(T0, 'y', 's1', 1, 10))
    exp.write(r(T0, 'x', 's2', 1, 2))
    exp.write(r(T0, 'y', 's2', 1, 20, 'a9'))
    exp.write(r(T0, 'x', 's1', 2, 3)) // same ts, next seq: a new sample
    await exp.close([])
    const files = tree(out)
    expect(files['timeeval/x.csv']).toBe(
      'timestamp,value-0,value-1,is_anomaly\n2026-01-05T00:00:00.000Z,1,2,0\n2026-01-05T00:00:00.000Z,3,,0\n',
    )
    expect(files['timeeval/y.csv']).toBe('timestamp,value-0,value-1,is_anomaly\n2026-01-05T00:00:00.000Z,10,20,1\n')
  })
})

describe('AppendFiles', () => {
  const openDescriptors = () => readdirSync('/proc/self/fd').length

  it('never holds more than maxOpen descriptors and closes them all', () => {
    const before = openDescriptors()
    const files = new AppendFiles(3, 16)
    for (let i = 0; i < 200; i++) {
      files.append(join(dir, `f${i % 10}.txt`), `line ${i}\n`)
      expect(files.openFiles).toBeLessThanOrEqual(3)
    }
    expect(files.close()).toHaveLength(10)
    expect(openDescriptors()).toBe(before)
    expect(readFileSync(join(dir, 'f7.txt'), 'utf8')).toBe(
      Array.from({ length: 20 }, (_, k) => `line ${k * 10 + 7}\n`).join(''),
    )
  })

  it('reports an unwritable file as FLEET_ERR_OUTPUT_WRITE', () => {
    const blocker = join(dir, 'a-file')
    writeFileSync(blocker, '')
    const files = new AppendFiles(2, 0)
    expect(() => files.append(join(blocker, 'x.csv'), 'x')).toThrow(
      expect.objectContaining({ code: 'FLEET_ERR_OUTPUT_WRITE' }),
    )
  })
})

describe('safeFileName', () => {
  it.each([
    ['thermo-0001', 'thermo-0001'],
    ['温度计-04', '温度计-04'],
    ['dev/b', 'dev%2Fb'],
    ['a\\b:c*?"<>|', 'a%5Cb%3Ac%2A%3F%22%3C%3E%7C'],
    ['100%', '100%25'],
    ['.hidden', '%2Ehidden'],
    ['..', '%2E.'],
    ['tab\there', 'tab%09here'],
    ['', '%'],
  ])('%j → %j', (name, safe) => {
    expect(safeFileName(name)).toBe(safe)
  })
})
