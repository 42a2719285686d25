import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { ElkNode } from 'elkjs/lib/elk-api.js';

const ELK_BUNDLE = createRequire(import.meta.url).resolve('elkjs/lib/elk.bundled.js');

// ELK's bundled build lays out synchronously, seconds for the job machine while the JIT warms
// up; in a thread of its own the server's event loop stays free meanwhile.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const ELK = require(workerData.bundle);
new ELK().layout(workerData.graph).then(
  (layout) => parentPort.postMessage({ layout }),
  (error) => parentPort.postMessage({ error: String(error && error.stack || error) }),
);
`;

/** Lays out an ELK graph in a worker thread (elkjs's bundled build) and answers the placed graph. */
export function runElkLayout(graph: ElkNode): Promise<ElkNode> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { bundle: ELK_BUNDLE, graph },
    });
    worker.once('message', (message: { layout?: ElkNode; error?: string }) => {
      void worker.terminate();
      if (message.layout) resolve(message.layout);
      else reject(new Error(`ELK could not lay out the chart: ${message.error}`));
    });
    worker.once('error', reject);
    worker.once('exit', (code) => {
      if (code !== 0) reject(new Error(`the ELK layout thread stopped (exit code ${code})`));
    });
  });
}
