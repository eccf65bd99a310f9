export * from './report-types.js'
export * from './report-html.js'
export * from './write-report.js'
