import { getAdjacencyMap, getShortestPaths } from '@xstate/graph';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobEvent } from '../../src/domain/job.events.js';
import { jobMachine } from '../../src/machines/job.machine.js';
import { type JobSnapshot, stepOf } from '../../src/machines/job-snapshot.js';
import { commitJobEvents, loadJob } from '../../src/machines/job-store.js';
import type { DatabaseHandle } from '../../src/store/create-database.js';
import { readStream } from '../../src/store/event-store.js';
import { openTestDatabase } from '../support/database.js';
import { candidateEvents } from '../support/job-histories.js';

const AT = new Date('2026-01-01T00:00:00Z');
const MODEL_JOB = 'job_model';

/** States that differ in what may happen next; counts beyond that do not matter. */
function serializeState(snapshot: JobSnapshot): string {
  const job = snapshot.context.job;
  const batches =
    job?.batches.map((b) => b.status).filter((s) => s !== 'collected' && s !== 'abandoned') ?? [];
  return JSON.stringify([
    snapshot.value,
    batches,
    job ? job.inFlight > 0 : null,
    job?.cancelRequestedAt !== null,
  ]);
}

const traversal = {
  events: (snapshot: JobSnapshot) => candidateEvents(snapshot, MODEL_JOB, AT),
  serializeState,
  serializeEvent: (event: JobEvent) => event.type,
  limit: 5000,
};

interface Transition {
  name: string;
  events: JobEvent[];
  target: JobSnapshot;
}

/** Every transition the machine can take, reached by its shortest path. */
function everyTransition(): Transition[] {
  const shortest = new Map(
    getShortestPaths(jobMachine, traversal).map((p) => [serializeState(p.state), p]),
  );
  const adjacency = getAdjacencyMap(jobMachine, traversal);
  const transitions: Transition[] = [];
  for (const [from, { state, transitions: edges }] of Object.entries(adjacency)) {
    const path = shortest.get(from);
    if (!path) continue;
    for (const { event, state: target } of Object.values(edges) as Array<{
      event: JobEvent;
      state: JobSnapshot;
    }>) {
      // Candidates the machine refuses leave it where it was: not a transition.
      if (!state.can(event)) continue;
      transitions.push({
        name: `${from} --${event.type}-->`,
        // The first step of a path is the machine's own start (xstate.init), not a job event.
        events: [...path.steps.slice(1).map((s) => s.event), event],
        target,
      });
    }
  }
  return transitions;
}

function valueName(snapshot: JobSnapshot): string {
  return typeof snapshot.value === 'string' ? snapshot.value : JSON.stringify(snapshot.value);
}

describe('the job machine, walked through every reachable transition', () => {
  let handle: DatabaseHandle;
  beforeAll(async () => {
    handle = await openTestDatabase();
  });
  afterAll(() => handle.close());

  const transitions = everyTransition();

  it('reaches every state of the chart', () => {
    const reached = new Set(transitions.map((t) => valueName(t.target)));
    for (const state of [
      'pending',
      'queued',
      'paused',
      'completed',
      'failed',
      'cancelled',
      'expired',
      'deleted',
    ]) {
      expect(reached).toContain(state);
    }
    for (const step of ['submitting', 'waiting', 'collecting', 'retrying', 'cancelling']) {
      expect(reached).toContain(JSON.stringify({ processing: step }));
    }
  });

  it('walks more than a hundred distinct transitions', () => {
    expect(transitions.length).toBeGreaterThan(100);
  });

  it('appends each transition’s events and projects the state the machine is in', async () => {
    for (const [n, { name, events }] of transitions.entries()) {
      const jobId = `job_model${n}`;
      const renamed = JSON.parse(JSON.stringify(events).replaceAll(MODEL_JOB, jobId)) as JobEvent[];
      // The way there in one append, the transition under test in its own.
      for (const batch of [renamed.slice(0, -1), renamed.slice(-1)]) {
        if (batch.length === 0) continue;
        await handle.db.transaction().execute(async (trx) => {
          const job = await loadJob(trx, jobId);
          await commitJobEvents(trx, job, batch, { instanceId: 'model' });
        });
      }
      const job = (await loadJob(handle.db, jobId))!;
      const row = await handle.db
        .selectFrom('jobs')
        .selectAll()
        .where('id', '=', jobId)
        .executeTakeFirst();
      const recorded = await readStream(handle.db, jobId);
      expect(
        recorded.map((e) => e.type),
        name,
      ).toEqual(renamed.map((e) => e.type));
      expect(valueName(job.snapshot), name).toBe(valueName(transitions[n]!.target));
      if (job.state.deleted) {
        expect(row, name).toBeUndefined();
      } else {
        expect(row?.status, name).toBe(job.state.status);
        expect(row?.step ?? null, name).toBe(stepOf(job.snapshot));
        expect(row?.version, name).toBe(recorded.length);
      }
    }
  }, 180_000);
});
