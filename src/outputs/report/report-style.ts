/** The report's CSS, inline in the page (it must open from a file, offline, with nothing fetched). */
export const REPORT_STYLE = `
*{box-sizing:border-box}
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;color:#1d1d1f;background:#f6f7f9}
main{max-width:1010px;margin:0 auto;padding:24px 24px 48px}
h1{font-size:22px;margin:0 0 8px;font-weight:650}
h2{font-size:17px;margin:28px 0 8px;font-weight:650;border-bottom:1px solid #dde1e6;padding-bottom:4px}
h3{font-size:15px;margin:0;font-weight:600}
code{font:12.5px ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}
.meta{color:#5b6370;margin:2px 0 6px;font-size:13px}
.verdict-line{margin:0 0 10px;display:flex;align-items:center;gap:10px;flex-wrap:wrap}
.verdict{display:inline-block;font-weight:700;letter-spacing:.05em;padding:3px 12px;border-radius:4px;color:#fff;font-size:14px}
.verdict.pass{background:#1e7e34}
.verdict.fail{background:#c62828}
.verdict.none{background:#6c757d}
.verdict-detail{color:#3a414b}
.banner{padding:10px 14px;border-radius:4px;margin:0 0 12px}
.banner.partial{background:#fff4d6;border:1px solid #e0a800;color:#5c4400}
.facts{display:grid;grid-template-columns:repeat(auto-fill,minmax(300px,1fr));gap:2px 24px;margin:0}
.facts div{display:flex;gap:8px;min-width:0}
.facts dt{color:#5b6370;min-width:78px}
.facts dd{margin:0;overflow-wrap:anywhere}
.glance{display:grid;grid-template-columns:repeat(6,1fr);gap:10px;margin:18px 0 0}
.card{background:#fff;border:1px solid #dde1e6;border-radius:6px;padding:8px 10px}
.card-value{font-size:20px;font-weight:650;font-variant-numeric:tabular-nums}
.card-name{color:#5b6370;font-size:12.5px}
.card.fail{border-color:#c62828;background:#fdecea}
.card.fail .card-value{color:#b71c1c}
table{border-collapse:collapse;width:100%;background:#fff;border:1px solid #dde1e6}
th,td{text-align:left;padding:4px 10px;border-bottom:1px solid #eceef1;vertical-align:top}
th{background:#f0f2f5;font-weight:600;font-size:13px}
.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
td.help{color:#5b6370;font-size:13px}
tr.fail td{background:#fdecea}
tr.fail td.result,.thr.fail{color:#b71c1c;font-weight:700}
td.result{white-space:nowrap}
tr.pass td.result,.thr.pass{color:#1e7e34}
.thr{white-space:nowrap}
.dot{display:inline-block;width:10px;height:10px;border-radius:2px;margin-right:6px;vertical-align:baseline}
.figure{background:#fff;border:1px solid #dde1e6;border-radius:6px;padding:10px 0 4px;margin:0 0 14px}
.figure h3,.figure .meta{padding:0 14px}
.empty{color:#8a5a00;background:#fff8e6;border:1px dashed #e0a800;border-radius:4px;padding:14px;margin:6px 14px 10px}
svg.plot{display:block;max-width:100%;height:auto}
svg text{font-size:11px;fill:#5b6370}
svg .legend text{font-size:12px;fill:#333}
svg .axis-title{font-size:11px;fill:#777}
svg .band-label{font-size:10px;font-weight:600}
svg .bar-count{font-size:10px;fill:#333}
svg .marker text{font-size:10px;font-weight:600}
.grid line{stroke:#eceef1}
.frame{fill:none;stroke:#c4c9d0}
path.series{fill:none;stroke-width:1.6;stroke-linejoin:round}
path.bar{fill-opacity:.75}
footer{margin-top:28px;color:#5b6370;font-size:12px}
@media (max-width:760px){.glance{grid-template-columns:repeat(2,1fr)}}
`
