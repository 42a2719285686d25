import type { Disruption } from './disruptions.js';

/** min / median / max of a list of milliseconds, or '-' when empty. */
export function spread(values: number[]): string {
  if (values.length === 0) return '-';
  const sorted = [...values].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)]!;
  return `min ${sorted[0]} / median ${median} / max ${sorted.at(-1)} ms (n=${sorted.length})`;
}

/**
 * For each job an instance held when it was stopped, the time until the job
 * was started again (by any instance, itself restarted included).
 */
export function takeoverTimes(
  disruptions: readonly Disruption[],
  starts: ReadonlyArray<{ jobId: string; at: number }>,
  kind: Disruption['kind'],
): number[] {
  const times: number[] = [];
  for (const disruption of disruptions.filter((d) => d.kind === kind)) {
    for (const jobId of disruption.heldJobs) {
      const next = starts.find((s) => s.jobId === jobId && s.at > disruption.at);
      if (next) times.push(next.at - disruption.at);
    }
  }
  return times;
}

/** Takeovers: every JobStarted after a job's first. */
export function countTakeovers(starts: ReadonlyArray<{ jobId: string }>): number {
  return starts.length - new Set(starts.map((s) => s.jobId)).size;
}
