import { isTerminalStatus, type JobStatus } from './job-status.js';

/** What a bulk call did, or would do, to one job. */
export type BulkOutcome = 'cancelled' | 'retried' | 'would cancel' | 'would retry' | 'skipped';

/** Whether a bulk action applies to a job in this status, and why not. Pure. */
export function bulkApplies(
  action: 'cancel' | 'retry',
  status: JobStatus,
): { applies: true } | { applies: false; reason: string } {
  switch (action) {
    case 'cancel':
      return isTerminalStatus(status)
        ? { applies: false, reason: `the job has already ended (${status})` }
        : { applies: true };
    case 'retry':
      return isTerminalStatus(status)
        ? { applies: true }
        : { applies: false, reason: `only an ended job can be retried (it is ${status})` };
    default: {
      const unknownAction: never = action;
      throw new Error(`unknown bulk action ${unknownAction as string}`);
    }
  }
}

/** The outcome of an action that applies: done, or (a dry run) what would be done. */
export function bulkDoneOutcome(action: 'cancel' | 'retry', dryRun: boolean): BulkOutcome {
  if (action === 'cancel') return dryRun ? 'would cancel' : 'cancelled';
  return dryRun ? 'would retry' : 'retried';
}
