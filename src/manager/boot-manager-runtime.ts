import { ModelCatalogueCache } from '../anthropic/model-catalogue-cache.js';
import type { ManagerEnvironment } from '../config.js';
import type { Clock } from '../domain/clock.js';
import type { JobState } from '../domain/job.state.js';
import type { JobStatus } from '../domain/job-status.js';
import { JobEstimator } from '../machines/estimate-job.js';
import { JobCommands } from '../machines/job-commands.js';
import type { Notify } from '../machines/job-notifications.js';
import type { JobOptions } from '../machines/job-options.js';
import type { JobChange } from '../machines/job-store.js';
import { JobWorker } from '../machines/job-worker.js';
import { createDatabase } from '../store/create-database.js';
import { migrate } from '../store/migrate.js';
import type { Trx } from '../store/schema/index.js';
import {
  checkJobCallbackUrl,
  registerJobCallback,
  startWebhookRelay,
  type WebhookSettings,
} from '../webhooks/index.js';
import { connectAnthropic } from './connect-anthropic.js';
import { enqueueChangeWebhooks } from './job-change-webhooks.js';
import { recordCommittedChange, startJobGauges } from './job-metrics.js';
import type { BatchJobManagerOptions } from './manager-options.js';
import type { ManagerRuntime } from './manager-runtime.js';
import { relayLoggerFrom } from './relay-logger.js';
import type { Report } from './report.js';
import { listenForWakeups } from './wakeup-listener.js';

/** What a manager hands the parts it starts: its settings, and where they report back. */
export interface ManagerWiring {
  settings: BatchJobManagerOptions;
  env: ManagerEnvironment;
  clock: Clock;
  instanceId: string;
  options: JobOptions;
  webhooks: WebhookSettings;
  report: Report;
  notify: Notify;
  /** After the worker commits a change to a job: its status before, its state after. */
  notifyChange: (oldStatus: JobStatus, after: JobState) => void;
}

/**
 * Connects (and migrates) the database, connects Anthropic, and starts the worker, the
 * webhook relay, the wake-up listener and the job gauges, as the settings ask.
 */
export async function bootManagerRuntime(wiring: ManagerWiring): Promise<ManagerRuntime> {
  const { env, clock, instanceId, options, webhooks, report, notify, notifyChange } = wiring;
  const s = wiring.settings;
  const database =
    s.database ??
    (await createDatabase({
      databaseUrl: s.databaseUrl ?? env.databaseUrl,
      dataDir: s.dataDir ?? env.dataDir,
      listenUrl: s.listenUrl ?? env.listenUrl,
      preparedStatements: s.preparedStatements ?? env.preparedStatements,
    }));
  await migrate(database.db);
  const { api, simulator, listModels } = await connectAnthropic(s, env, report);
  const models = listModels
    ? new ModelCatalogueCache({
        list: listModels,
        clock,
        warn: (message, fields) => report('warn', message, fields),
      })
    : undefined;
  // Read now, in the background, so the first creation finds the catalogue (or the fallback).
  void models?.current();
  const onChange = (trx: Trx, change: JobChange) => enqueueChangeWebhooks(trx, change);
  const context = { instanceId, onChange };
  const runWorker = s.worker ?? true;
  const worker = runWorker
    ? new JobWorker({
        db: database.db,
        api,
        clock,
        options,
        context,
        onCommitted: (before, after) => {
          recordCommittedChange(before, after);
          notifyChange(before.status, after);
        },
        log: (message, fields, level = 'info') => report(level, message, fields),
      })
    : undefined;
  const commands = new JobCommands({
    db: database.db,
    clock,
    instanceId,
    options,
    notify,
    modelCatalogue: models ? () => models.current() : undefined,
    validateCallbackUrl: (url) => checkJobCallbackUrl(url, webhooks),
    onJobCreated: async (trx, job, config) => {
      if (!config.callbackUrl) return undefined;
      const { secret } = await registerJobCallback(
        trx,
        {
          tenant: job.tenant,
          jobId: job.id,
          url: config.callbackUrl,
          secret: config.webhookSecret,
        },
        webhooks,
      );
      // A secret the caller gave is theirs already; one generated here is shown once.
      return config.webhookSecret ? {} : { callbackSecret: secret };
    },
    takeCreatedJob: () => worker?.takeCreatedJob() ?? false,
    onChange,
  });
  worker?.start();
  const relay =
    (s.webhookRelay ?? runWorker)
      ? startWebhookRelay({
          db: database.db,
          instanceId,
          ...webhooks,
          concurrency: s.webhookConcurrency,
          pollMs: s.webhookPollMs,
          listeningPollMs: s.webhookListeningPollMs,
          logger: s.relayLogger ?? relayLoggerFrom(report),
        })
      : undefined;
  const wakeups =
    worker || relay ? await listenForWakeups(database, worker, relay, report) : undefined;
  const gauges = startJobGauges(database.db, (error) =>
    report('warn', 'could not read job counts', { error: String(error) }),
  );
  return {
    database,
    ownsDatabase: !s.database,
    commands,
    estimator: new JobEstimator({
      api,
      clock,
      options,
      modelCatalogue: models ? () => models.current() : undefined,
    }),
    worker,
    relay,
    simulator,
    gauges,
    wakeups,
    webhooks,
  };
}
