import type { RunningSimulator } from '../anthropic/simulator/index.js';
import type { JobEstimator } from '../machines/estimate-job.js';
import type { JobCommands } from '../machines/job-commands.js';
import type { JobWorker } from '../machines/job-worker.js';
import type { DatabaseHandle } from '../store/create-database.js';
import type { Listening } from '../store/listen.js';
import type { WebhookRelay, WebhookSettings } from '../webhooks/index.js';

/** What a started manager holds: the database, the commands, and what runs in the background. */
export interface ManagerRuntime {
  database: DatabaseHandle;
  ownsDatabase: boolean;
  commands: JobCommands;
  /** What a job would cost before it is created (POST /v1/jobs/estimate). */
  estimator: JobEstimator;
  worker: JobWorker | undefined;
  relay: WebhookRelay | undefined;
  /** The clock, the SSRF allow-list and the secret cipher webhooks are registered and sent with. */
  webhooks: WebhookSettings;
  simulator: RunningSimulator | undefined;
  gauges: { stop(): void };
  /** The LISTEN for other instances' wake-ups (none without a worker, or when LISTEN failed). */
  wakeups: Listening | undefined;
}
