import { Logger, type Runner, run } from 'graphile-worker';

/** What the bench hears from the peer, by the key it gave the job. */
export interface GraphileHooks {
  /** The no-op task began (graphile-worker's equivalent of our `processing`). */
  onTaskStart?: (key: string) => void;
  /** The job's outcome is written back (the job row is gone). */
  onJobComplete?: (key: string) => void;
}

/** graphile-worker 0.17 with a no-op task, its runner in this process. */
export interface GraphilePeer {
  /** One `add_job` of the no-op task, carrying `key`. */
  addJob(key: string): Promise<void>;
  /** Stops the runner (safe to call twice). */
  stop(): Promise<void>;
}

const TASK = 'noop';
/** graphile-worker logs every job at info; ours runs at `warn`, so the peer is quiet too. */
export const GRAPHILE_SILENT_LOGGER = new Logger(() => () => {});

/**
 * Starts a runner on `connectionString` (it installs its schema there on first
 * use) with `concurrency` workers. Defaults otherwise: LISTEN/NOTIFY wakes it on
 * every add, prepared statements on; only its logging is silenced, as ours is.
 */
export async function startGraphilePeer(
  connectionString: string,
  concurrency: number,
  hooks: GraphileHooks,
): Promise<GraphilePeer> {
  const runner: Runner = await run({
    connectionString,
    concurrency,
    maxPoolSize: concurrency + 2,
    noHandleSignals: true,
    logger: GRAPHILE_SILENT_LOGGER,
    taskList: {
      [TASK]: async (payload) => {
        hooks.onTaskStart?.((payload as { key: string }).key);
      },
    },
  });
  if (hooks.onJobComplete) {
    const onJobComplete = hooks.onJobComplete;
    runner.events.on('job:complete', ({ job }) =>
      onJobComplete((job.payload as { key: string }).key),
    );
  }
  let stopping: Promise<void> | undefined;
  return {
    addJob: async (key) => {
      await runner.addJob(TASK, { key });
    },
    stop: () => {
      stopping ??= runner.stop();
      return stopping;
    },
  };
}
