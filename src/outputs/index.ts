export * from './jsonl-writer.js'
export * from './run-folder.js'
export * from './dataset/index.js'
export * from './report/index.js'
