import { Worker } from 'node:worker_threads'
import { ERROR_CODES, FleetError, errors, workerScript, type ErrorCode } from '../core/index.js'
import type { ResolvedFleet } from './load-fleet.js'
import type { SimulateHooks, SimulateJob, SimulateResult } from './dataset-simulate.js'

/** Main thread → worker. */
export type ToWorker = { type: 'stop' }

/** Worker → main thread. */
export type FromWorker =
  | { type: 'progress'; simulatedMs: number; rows: number }
  | { type: 'done'; result: SimulateResult }
  | { type: 'failed'; error: { code: string; message: string; hint?: string } }

/**
 * Runs each job in its own worker thread (one core each) and resolves with their results, in job
 * order. Progress is the slowest worker's simulated time and the sum of rows; once `shouldStop` says
 * so, every worker is asked to stop (each closes its files and returns a partial result). A worker
 * that fails stops the others and rejects with its error.
 */
export function simulateInWorkers(resolved: ResolvedFleet, jobs: readonly SimulateJob[], hooks: SimulateHooks = {}): Promise<SimulateResult[]> {
  const { script, eval: evalScript } = workerScript(import.meta.url, 'dataset-worker')
  const simulated = jobs.map(() => 0)
  const rows = jobs.map(() => 0)
  const results: (SimulateResult | undefined)[] = jobs.map(() => undefined)
  let stopSent = false
  return new Promise((resolve, reject) => {
    let settled = false
    const workers = jobs.map((job) => new Worker(script, { eval: evalScript, workerData: { resolved, job } }))
    const finish = (error?: Error) => {
      if (settled) return
      settled = true
      for (const w of workers) void w.terminate()
      if (error) reject(error)
      else resolve(results as SimulateResult[])
    }
    workers.forEach((worker, w) => {
      worker.on('message', (m: FromWorker) => {
        if (m.type === 'progress') {
          simulated[w] = m.simulatedMs
          rows[w] = m.rows
          hooks.onProgress?.(Math.min(...simulated), rows.reduce((a, b) => a + b, 0))
          if (!stopSent && hooks.shouldStop?.()) {
            stopSent = true
            for (const other of workers) other.postMessage({ type: 'stop' } satisfies ToWorker)
          }
        } else if (m.type === 'done') {
          results[w] = m.result
          if (results.every((r) => r !== undefined)) finish()
        } else {
          const code = (m.error.code in ERROR_CODES ? m.error.code : 'FLEET_ERR_INTERNAL') as ErrorCode
          finish(new FleetError(code, `dataset worker ${w + 1}/${jobs.length}: ${m.error.message}`, { hint: m.error.hint }))
        }
      })
      worker.on('error', (e) => finish(errors.internal(`dataset worker ${w + 1}/${jobs.length} failed: ${e.message}`, e)))
      worker.on('exit', (code) => {
        if (results[w] === undefined) finish(errors.internal(`dataset worker ${w + 1}/${jobs.length} exited (code ${code}) before it finished`))
      })
    })
  })
}
