import { type DriverMemory, type DriverTimings, nextPoll } from '../domain/driver.next-action.js';
import type { JobEvent } from '../domain/job.events.js';
import type { BatchState, JobState } from '../domain/job.state.js';
import type { BatchStatusBoard } from './batch-status-board.js';

/** Polls in a row that did not find a batch before the job fails for it. */
const MISSES_BEFORE_FAILING = 3;

/** What a look at the batches due found: one that ended (to collect), one gone, or neither. */
export type PollFinding =
  | { kind: 'ended'; batch: BatchState; ended: JobEvent }
  | { kind: 'gone'; batch: BatchState }
  | { kind: 'nothing-yet' };

/**
 * What a driver remembers of its batches between steps: when to look at each again, which it
 * has asked Anthropic to cancel, and how often one could not be found. Memory only: a restart
 * forgets it, and at worst looks again sooner.
 */
export class BatchPolling {
  readonly #polls = new Map<string, { at: number; interval: number }>();
  readonly #cancelsSent = new Set<string>();
  readonly #misses = new Map<string, number>();

  /** The memory nextDriverAction decides with. */
  memory(self: string): DriverMemory {
    return { polls: this.#polls, cancelsSent: this.#cancelsSent, self };
  }

  /**
   * Looks at the batches due through the board. The first that ended is answered with its
   * BatchEnded; one Anthropic has not shown MISSES_BEFORE_FAILING times in a row is gone; the
   * others are looked at again later, each at its own growing interval.
   */
  async look(
    board: BatchStatusBoard,
    state: JobState,
    batchIds: readonly string[],
    now: Date,
    timings: DriverTimings,
  ): Promise<PollFinding> {
    const seen = await board.look(batchIds);
    for (const batchId of batchIds) {
      const remote = seen.get(batchId);
      const batch = state.batches.find((b) => b.batchId === batchId)!;
      if (!remote) {
        const misses = (this.#misses.get(batchId) ?? 0) + 1;
        this.#misses.set(batchId, misses);
        if (misses >= MISSES_BEFORE_FAILING) return { kind: 'gone', batch };
      } else if (remote.processing_status === 'ended') {
        this.#polls.delete(batchId);
        this.#misses.delete(batchId);
        const resultsUrl = remote.results_url ?? undefined;
        const ended: JobEvent = {
          type: 'BatchEnded',
          data: { batchKey: batch.batchKey, batchId, at: now.toISOString(), resultsUrl },
        };
        return {
          kind: 'ended',
          batch: { ...batch, resultsUrl: remote.results_url ?? null },
          ended,
        };
      }
      this.#polls.set(batchId, nextPoll(this.#polls.get(batchId), now, timings));
    }
    return { kind: 'nothing-yet' };
  }

  /** A cancel went out: it ends soon, so look again at the first interval, not the backed-off one. */
  cancelSent(batchId: string, nowMs: number, firstIntervalMs: number): void {
    this.#cancelsSent.add(batchId);
    this.#polls.set(batchId, { at: nowMs + firstIntervalMs, interval: firstIntervalMs });
  }
}
