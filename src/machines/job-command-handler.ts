import type { Clock } from '../domain/clock.js';
import { ConcurrencyError } from '../domain/errors.js';
import { commandVerb, type JobCommand } from '../domain/job.commands.js';
import { decide } from '../domain/job.decide.js';
import type { JobState } from '../domain/job.state.js';
import { notifyJobWakeup } from '../store/jobs/job-wakeups.js';
import type { Db, Trx } from '../store/schema/index.js';
import { type CommitContext, commitJobEvents, loadJob } from './job-store.js';

const COMMAND_ATTEMPTS = 5;

export interface JobCommandHandlerDeps {
  db: Db;
  clock: Clock;
}

/** What a command changed: the job's state before and after (the same when it changed nothing). */
export interface HandledCommand {
  before: JobState;
  after: JobState;
}

/**
 * The command handler: loads the job, looks up the facts the command needs (`command` as a
 * function of the transaction), decides, writes what goes with the events (`write`) and commits
 * at the version it loaded; when another writer got there first, all of it again, a bounded
 * number of times. The instance holding the job (perhaps another) is woken to read it again.
 */
export async function handleJobCommand<C extends JobCommand>(
  deps: JobCommandHandlerDeps,
  jobId: string,
  contextOf: (tenant: string) => CommitContext,
  command: C | ((trx: Trx) => Promise<C>),
  write?: (trx: Trx, command: C, now: Date) => Promise<unknown>,
): Promise<HandledCommand> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await deps.db.transaction().execute(async (trx) => {
        const job = await loadJob(trx, jobId);
        const given = typeof command === 'function' ? await command(trx) : command;
        const now = deps.clock.now();
        const events = decide(given, job?.state, now);
        // decide refused a job that is missing, deleted or another tenant's.
        const before = job!.state;
        if (events.length === 0) return { before, after: before };
        await write?.(trx, given, now);
        const context = contextOf(given.data.tenant);
        const next = await commitJobEvents(trx, job, events, context, commandVerb(given));
        // A resumed job is claimed by whoever has a slot.
        await notifyJobWakeup(trx, { jobId });
        return { before, after: next.state };
      });
    } catch (error) {
      if (!(error instanceof ConcurrencyError) || attempt >= COMMAND_ATTEMPTS) throw error;
    }
  }
}
