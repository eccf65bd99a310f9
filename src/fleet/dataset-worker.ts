// A dataset worker thread (see dataset-workers.ts): simulates its parts of the dataset and reports
// progress and the result to the main thread, which writes the dataset's shared files.
import { parentPort, workerData } from 'node:worker_threads'
import { isFleetError } from '../core/index.js'
import type { ResolvedFleet } from './load-fleet.js'
import { simulateDataset, type SimulateJob } from './dataset-simulate.js'
import type { FromWorker, ToWorker } from './dataset-workers.js'

const port = parentPort!
const { resolved, job } = workerData as { resolved: ResolvedFleet; job: SimulateJob }
let stop = false
port.on('message', (m: ToWorker) => {
  if (m.type === 'stop') stop = true
})
const post = (m: FromWorker) => port.postMessage(m)

try {
  const result = await simulateDataset(resolved, job, {
    onProgress: (simulatedMs, rows) => post({ type: 'progress', simulatedMs, rows }),
    shouldStop: () => stop,
  })
  post({ type: 'done', result })
} catch (e) {
  post({
    type: 'failed',
    error: isFleetError(e) ? { code: e.code, message: e.message, hint: e.hint } : { code: 'FLEET_ERR_INTERNAL', message: e instanceof Error ? (e.stack ?? e.message) : String(e) },
  })
}
// The main thread ends this worker once it has the result.
