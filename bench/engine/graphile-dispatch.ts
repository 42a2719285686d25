import type { DispatchSamples } from './batchkeeper-dispatch.js';
import { startGraphilePeer } from './graphile-peer.js';

/**
 * The peer's side of the dispatch benchmark: a graphile-worker runner (its
 * default concurrency, 1) in this process; `warmup + samples` no-op jobs, one
 * at a time. A sample is the time from calling addJob to the task function
 * being called; each job's completion is written back before the next.
 * Returns the samples in ms, and the same from addJob's return.
 */
export async function measureGraphileDispatch(
  databaseUrl: string,
  samples: number,
  warmup: number,
): Promise<DispatchSamples> {
  const startedAt = new Map<string, number>();
  const waiters = new Map<string, () => void>();
  const completed = new Set<string>();
  const peer = await startGraphilePeer(databaseUrl, 1, {
    onTaskStart: (key) => startedAt.set(key, performance.now()),
    onJobComplete: (key) => {
      completed.add(key);
      waiters.get(key)?.();
    },
  });
  const untilCompleted = (key: string) =>
    completed.has(key)
      ? Promise.resolve()
      : new Promise<void>((resolve) => waiters.set(key, resolve));
  try {
    const latencies: number[] = [];
    const afterStored: number[] = [];
    for (let n = 0; n < warmup + samples; n++) {
      const key = `dispatch-${n}`;
      const addedAt = performance.now();
      await peer.addJob(key);
      const storedAt = performance.now();
      await untilCompleted(key);
      if (n >= warmup) {
        latencies.push(startedAt.get(key)! - addedAt);
        afterStored.push(startedAt.get(key)! - storedAt);
      }
      startedAt.delete(key);
      completed.delete(key);
      waiters.delete(key);
    }
    return { latencies, afterStored };
  } finally {
    await peer.stop();
  }
}
