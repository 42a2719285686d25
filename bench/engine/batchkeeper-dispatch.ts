import { randomBytes } from 'node:crypto';
import { BatchJobManager } from '../../src/manager/batch-job-manager.js';

/** Dispatch samples in ms: from the call, and from its return (the job stored). */
export interface DispatchSamples {
  latencies: number[];
  afterStored: number[];
}

/** Where ours runs: a migrated database and a simulator. */
export interface BatchkeeperDispatchSetup {
  databaseUrl: string;
  simulatorUrl: string;
}

/**
 * Our side of the dispatch benchmark: a BatchJobManager (worker included,
 * default slots) in this process; `warmup + samples` jobs of one request, one
 * at a time. A sample is the time from calling createJob to the job's
 * `processing` status change; each job is left to complete before the next,
 * so every sample starts from an idle worker. Returns the samples in ms, and
 * the same from createJob's return (the job stored) to `processing`.
 */
export async function measureBatchkeeperDispatch(
  setup: BatchkeeperDispatchSetup,
  samples: number,
  warmup: number,
): Promise<DispatchSamples> {
  const manager = new BatchJobManager({
    databaseUrl: setup.databaseUrl,
    anthropic: { apiKey: 'bench', baseURL: setup.simulatorUrl },
    instanceId: `dispatch-${randomBytes(3).toString('hex')}`,
  });
  const processingAt = new Map<string, number>();
  const ended = new Set<string>();
  const waiters = new Map<string, () => void>();
  manager.on('job:status_changed', ({ id, newStatus }) => {
    if (newStatus === 'processing') processingAt.set(id, performance.now());
    if (newStatus === 'completed' || newStatus === 'failed') {
      ended.add(id);
      waiters.get(id)?.();
    }
  });
  const untilEnded = (id: string) =>
    ended.has(id) ? Promise.resolve() : new Promise<void>((resolve) => waiters.set(id, resolve));
  try {
    await manager.ready();
    const run = randomBytes(4).toString('hex');
    const latencies: number[] = [];
    const afterStored: number[] = [];
    for (let n = 0; n < warmup + samples; n++) {
      const startedAt = performance.now();
      const { id } = await manager.createJob({ requests: [oneRequest(`${run} dispatch ${n}`)] });
      const storedAt = performance.now();
      await untilEnded(id);
      const at = processingAt.get(id);
      if (at === undefined) throw new Error(`job ${id} ended without being processing`);
      if (n >= warmup) {
        latencies.push(at - startedAt);
        afterStored.push(at - storedAt);
      }
      processingAt.delete(id);
      ended.delete(id);
      waiters.delete(id);
    }
    return { latencies, afterStored };
  } finally {
    await manager.close();
  }
}

function oneRequest(content: string) {
  return {
    custom_id: 'r0',
    params: { model: 'claude-sonnet-5-5', max_tokens: 16, messages: [{ role: 'user', content }] },
  };
}
