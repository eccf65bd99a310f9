import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { escapeHtml, renderPreview, writePreview, type PreviewInput } from '../../../src/outputs/dataset/preview.js'

const T0 = Date.UTC(2026, 0, 5)
const MIN = 60_000

function points(n: number, f: (i: number) => number, drop: (i: number) => boolean = () => false): [number, number | null, number][] {
  return Array.from({ length: n }, (_, i) => [T0 + i * MIN, drop(i) ? null : f(i), Math.round(f(i) * 100) / 100])
}

const INPUT: PreviewInput = {
  title: 'anomaly-week <seed 42> & "friends"',
  series: [
    { device: 'thermo-0001', sensor: 'temperature', points: points(120, (i) => 20 + Math.sin(i / 10), (i) => i % 17 === 0) },
    { device: 'thermo-0001', sensor: 'humidity', points: points(120, (i) => 40 + Math.cos(i / 10)) },
    { device: '<img src=x onerror=alert(1)>', sensor: 'p&q', points: points(120, (i) => (i === 60 ? Number.NaN : i)) },
  ],
  windows: [
    { anomaly_id: 'a-1', device: 'thermo-0001', start_ms: T0 + 30 * MIN, end_ms: T0 + 40 * MIN, type: 'stuck' },
    { anomaly_id: 'a-2', device: 'thermo-0001', sensor: 'humidity', start_ms: T0 + 70 * MIN, end_ms: T0 + 90 * MIN, type: 'drift' },
    { anomaly_id: 'a-3', device: '<img src=x onerror=alert(1)>', start_ms: T0 + 50 * MIN, end_ms: T0 + 55 * MIN, type: '<b>spike</b>' },
    // Outside every series' time range, and on a device with no series: not drawn.
    { anomaly_id: 'a-4', device: 'thermo-0001', start_ms: T0 + 500 * MIN, end_ms: T0 + 510 * MIN, type: 'stuck' },
    { anomaly_id: 'a-5', device: 'ghost', start_ms: T0, end_ms: T0 + MIN, type: 'stuck' },
  ],
}

const count = (html: string, re: RegExp) => (html.match(re) ?? []).length

describe('renderPreview', () => {
  const html = renderPreview(INPUT)

  it('draws one chart per series, each with a reported and a clean path', () => {
    expect(count(html, /<section class="chart"/g)).toBe(3)
    expect(count(html, /<svg /g)).toBe(3)
    expect(count(html, /<path class="reported" d="M[^"]+"/g)).toBe(3)
    expect(count(html, /<path class="clean" d="M[^"]+"/g)).toBe(3)
  })

  it('shades the windows of each series (device-wide or per sensor), labelled by type', () => {
    const charts = html.split('<section class="chart"').slice(1)
    const windowsIn = (chart: string) => [...chart.matchAll(/<g class="window" data-anomaly="([^"]+)"/g)].map((m) => m[1])
    expect(windowsIn(charts[0]!)).toEqual(['a-1']) // temperature: the device-wide window only
    expect(windowsIn(charts[1]!)).toEqual(['a-1', 'a-2']) // humidity: device-wide + its own
    expect(windowsIn(charts[2]!)).toEqual(['a-3'])
    expect(count(html, /<rect x="[\d.]+" y="\d+" width="[\d.]+" height="\d+" fill="#[0-9a-f]{6}" fill-opacity/g)).toBe(4)
    expect(charts[1]).toContain('>drift</text>')
    expect(charts[0]).toContain('>stuck</text>')
  })

  it('breaks the reported line where a reading was dropped or NaN', () => {
    const charts = html.split('<section class="chart"').slice(1)
    const moves = (chart: string) => count(chart.match(/<path class="reported" d="([^"]+)"/)![1]!, /M/g)
    expect(moves(charts[0]!)).toBe(7) // dropped at i = 0, 17, …, 119: runs 1–16, 18–33, …, 103–118
    expect(moves(charts[1]!)).toBe(1)
    expect(moves(charts[2]!)).toBe(2)
    const attributes = [...html.matchAll(/="([^"]*)"/g)].map((m) => m[1]!)
    expect(attributes.filter((a) => /NaN|Infinity/.test(a))).toEqual([]) // no NaN coordinates
  })

  it('escapes HTML in the title, names and types', () => {
    expect(html).not.toContain('<img')
    expect(html).not.toContain('<b>spike')
    expect(html).not.toContain('<seed')
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt; / p&amp;q')
    expect(html).toContain('&lt;b&gt;spike&lt;/b&gt;')
    expect(html).toContain('<title>anomaly-week &lt;seed 42&gt; &amp; &quot;friends&quot;</title>')
    expect(escapeHtml(`<a href='x'>&</a>`)).toBe('&lt;a href=&#39;x&#39;&gt;&amp;&lt;/a&gt;')
  })

  it('is self-contained and deterministic: no script, nothing fetched, no dates of its own', () => {
    expect(html).not.toMatch(/<script|<link|<img|<iframe|\ssrc="|\shref="|@import|url\((?!#)/)
    expect(renderPreview(structuredClone(INPUT))).toBe(html)
  })

  it('keeps a long series small (min/max per pixel column) without losing its spikes', () => {
    const n = 40_000
    const long = renderPreview({
      title: 'long',
      series: [{ device: 'd', sensor: 's', points: points(n, (i) => (i === 12_345 ? 1000 : Math.sin(i / 100))) }],
      windows: [],
    })
    const d = long.match(/<path class="reported" d="([^"]+)"/)![1]!
    expect(count(d, /[ML]/g)).toBeLessThan(4 * 900)
    // The spike is the highest point: y at the top margin plus the 5% padding.
    const ys = [...d.matchAll(/[ML][\d.]+ ([\d.]+)/g)].map((m) => Number(m[1]))
    expect(Math.min(...ys)).toBeLessThan(45)
  })

  it('says so when a series has no samples', () => {
    const empty = renderPreview({ title: 't', series: [{ device: 'd', sensor: 's', points: [] }], windows: [] })
    expect(empty).toContain('no samples')
  })
})

describe('writePreview', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fleet-emu-preview-'))
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  it('writes the rendered page, creating the folder', () => {
    const file = join(dir, 'run', 'preview.html')
    writePreview(file, INPUT)
    expect(readFileSync(file, 'utf8')).toBe(renderPreview(INPUT))
  })
})
