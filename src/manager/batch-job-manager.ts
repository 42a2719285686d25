import { EventEmitter } from 'node:events';
import { AnthropicGateway } from '../anthropic/anthropic-gateway.js';
import { type RunningSimulator, startSimulator } from '../anthropic/simulator/index.js';
import { type Clock, systemClock } from '../domain/clock.js';
import { progressOf } from '../domain/job.state.js';
import type { JobStatus } from '../domain/job-status.js';
import type { JobProgress } from '../domain/progress.js';
import type { BatchApi } from '../machines/batch-api.port.js';
import {
  type CancelResult,
  type DeleteResult,
  JobCommands,
  type TransitionResult,
} from '../machines/job-commands.js';
import type { JobNotifications } from '../machines/job-notifications.js';
import { DEFAULT_JOB_OPTIONS, type JobOptions } from '../machines/job-options.js';
import type { JobChange } from '../machines/job-store.js';
import type { JobSummary } from '../machines/job-views.js';
import { JobWorker } from '../machines/job-worker.js';
import { createDatabase, type DatabaseHandle } from '../store/create-database.js';
import { JOB_WAKEUP_CHANNEL, parseJobWakeup } from '../store/jobs/job-wakeups.js';
import { migrate } from '../store/migrate.js';
import type { Trx } from '../store/schema/index.js';
import {
  assertWebhookUrlAllowed,
  enqueueJobWebhooks,
  parseWebhookAllowList,
  type RelayLogger,
  registerJobCallback,
  secretCipherFor,
  startWebhookRelay,
  type WebhookRelay,
  type WebhookSettings,
  type WebhookSubscriptionWithSecret,
} from '../webhooks/index.js';
import { WEBHOOK_WAKEUP_CHANNEL } from '../webhooks/insert-deliveries.js';
import { instrumentBatchApi } from './instrumented-batch-api.js';
import { recordCommittedChange, startJobGauges } from './job-metrics.js';
import { type BatchJobManagerOptions, defaultInstanceId } from './manager-options.js';
import type { ManagerRuntime } from './manager-runtime.js';
import { type JobDetails, type JobStats, type ListJobsResult, TenantJobs } from './tenant-jobs.js';
import type { TenantWebhooks } from './tenant-webhooks.js';
import { type WaitForJobOptions, waitForJob } from './wait-for-job.js';

export { type JobDetails, type JobStats, type ListJobsResult, TenantJobs };

const TERMINAL_WEBHOOK_TYPES = {
  completed: 'job.completed',
  failed: 'job.failed',
  cancelled: 'job.cancelled',
  expired: 'job.expired',
} as const;

/**
 * The job manager: every capability of the seed's BatchJobManager, kept in
 * Postgres. It connects (and migrates) on first use; `close()` stops it.
 * Events (`job:created`, `job:status_changed`...) are emitted after commit.
 */
export class BatchJobManager extends EventEmitter {
  readonly options: JobOptions;
  readonly instanceId: string;
  readonly #settings: BatchJobManagerOptions;
  readonly #tenant: string;
  readonly #clock: Clock;
  readonly #webhooks: WebhookSettings;
  #runtime: Promise<ManagerRuntime> | undefined;
  #closed = false;

  constructor(options: BatchJobManagerOptions = {}) {
    super();
    const { defaultPriority, ...rest } = options;
    this.options = {
      ...DEFAULT_JOB_OPTIONS,
      ...pickJobOptions(rest),
      ...(defaultPriority ? { defaultPriority } : {}),
    };
    this.#settings = options;
    this.#tenant = options.tenant ?? 'default';
    this.#clock = options.clock ?? systemClock;
    this.instanceId = options.instanceId ?? defaultInstanceId();
    this.#webhooks = {
      clock: this.#clock,
      allowList: parseWebhookAllowList(
        options.webhookAllow ?? process.env.BATCHKEEPER_WEBHOOK_ALLOW ?? '',
      ),
      cipher: secretCipherFor(process.env.BATCHKEEPER_ENCRYPTION_KEY),
    };
  }

  /** Connects, migrates and starts the worker; called by every method, safe to call yourself. */
  async ready(): Promise<void> {
    await this.#start();
  }

  /** The same manager acting for another tenant (the HTTP API uses one per API key). */
  forTenant(tenant: string): TenantJobs {
    return new TenantJobs(() => this.#start(), tenant);
  }

  createJob(config: unknown): Promise<JobSummary> {
    return this.forTenant(this.#tenant).createJob(config);
  }
  getJob(jobId: string): Promise<JobDetails | null> {
    return this.forTenant(this.#tenant).getJob(jobId);
  }
  updateJobStatus(
    jobId: string,
    status: JobStatus | string,
    updates?: { reason?: string; error?: string },
  ) {
    return this.forTenant(this.#tenant).updateJobStatus(jobId, status, updates);
  }
  updateProgress(
    jobId: string,
    progress: Partial<Omit<JobProgress, 'percentComplete'>>,
  ): Promise<JobProgress> {
    return this.forTenant(this.#tenant).updateProgress(jobId, progress);
  }
  addResult(jobId: string, requestId: string, result: unknown): Promise<void> {
    return this.forTenant(this.#tenant).addResult(jobId, requestId, result);
  }
  addError(jobId: string, requestId: string, error: unknown): Promise<void> {
    return this.forTenant(this.#tenant).addError(jobId, requestId, error);
  }
  cancelJob(jobId: string): Promise<CancelResult> {
    return this.forTenant(this.#tenant).cancelJob(jobId);
  }
  pauseJob(jobId: string): Promise<TransitionResult> {
    return this.forTenant(this.#tenant).pauseJob(jobId);
  }
  resumeJob(jobId: string): Promise<TransitionResult> {
    return this.forTenant(this.#tenant).resumeJob(jobId);
  }
  listJobs(filters: unknown = {}): Promise<ListJobsResult> {
    return this.forTenant(this.#tenant).listJobs(filters);
  }
  deleteJob(jobId: string): Promise<DeleteResult> {
    return this.forTenant(this.#tenant).deleteJob(jobId);
  }
  getJobResults(jobId: string) {
    return this.forTenant(this.#tenant).getJobResults(jobId);
  }
  getJobStats(): Promise<JobStats> {
    return this.forTenant(this.#tenant).getJobStats();
  }
  /**
   * Resolves with the job once it has ended (completed, failed, cancelled or expired).
   * @example const job = await manager.waitForJob(id, { timeoutMs: 60_000 });
   */
  waitForJob(jobId: string, options?: WaitForJobOptions): Promise<JobDetails> {
    return waitForJob(this, this.#tenant, jobId, options);
  }
  registerBatchWebhook(
    config: Parameters<TenantWebhooks['registerBatchWebhook']>[0],
  ): Promise<WebhookSubscriptionWithSecret> {
    return this.forTenant(this.#tenant).webhooks.registerBatchWebhook(config);
  }
  triggerBatchWebhook(
    input: Parameters<TenantWebhooks['triggerBatchWebhook']>[0],
  ): Promise<{ deliveryIds: string[] }> {
    return this.forTenant(this.#tenant).webhooks.triggerBatchWebhook(input);
  }

  /** Stops the worker (leases handed over), the relay and the simulator, and closes the database. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (!this.#runtime) return;
    const runtime = await this.#runtime.catch(() => undefined);
    if (!runtime) return;
    runtime.gauges.stop();
    await runtime.wakeups?.close();
    await runtime.worker?.stop();
    await runtime.relay?.stop();
    await runtime.simulator?.stop();
    if (runtime.ownsDatabase) await runtime.database.close();
  }

  /** @internal the started parts, for the HTTP layer and the tenant view. */
  async runtime(): Promise<ManagerRuntime> {
    return this.#start();
  }

  #start(): Promise<ManagerRuntime> {
    if (this.#closed) return Promise.reject(new Error('the manager is closed'));
    this.#runtime ??= this.#boot();
    return this.#runtime;
  }

  async #boot(): Promise<ManagerRuntime> {
    const s = this.#settings;
    const database =
      s.database ??
      (await createDatabase({
        databaseUrl: s.databaseUrl ?? (process.env.DATABASE_URL || undefined),
        dataDir: s.dataDir ?? (process.env.BATCHKEEPER_DATA_DIR || undefined),
        listenUrl: s.listenUrl ?? (process.env.BATCHKEEPER_LISTEN_URL || undefined),
        preparedStatements:
          s.preparedStatements ?? process.env.BATCHKEEPER_PREPARED_STATEMENTS !== 'off',
      }));
    await migrate(database.db);
    const { api, simulator } = await this.#anthropic();
    const onChange = (trx: Trx, change: JobChange) => this.#enqueueWebhooks(trx, change);
    const context = { instanceId: this.instanceId, onChange };
    const commands = new JobCommands({
      db: database.db,
      clock: this.#clock,
      instanceId: this.instanceId,
      options: this.options,
      notify: (name, payload) => this.#notify(name, payload),
      validateCallbackUrl: (url) => void assertWebhookUrlAllowed(url, this.#webhooks.allowList),
      onJobCreated: async (trx, job, config) => {
        if (config.callbackUrl) {
          await registerJobCallback(
            trx,
            {
              tenant: job.tenant,
              jobId: job.id,
              url: config.callbackUrl,
              secret: config.webhookSecret,
            },
            this.#webhooks,
          );
        }
      },
      onChange,
    });
    const runWorker = s.worker ?? true;
    const worker = runWorker
      ? new JobWorker({
          db: database.db,
          api,
          clock: this.#clock,
          options: this.options,
          context,
          onCommitted: (before, after) => {
            recordCommittedChange(before, after);
            this.#notifyChange(before.status, after);
          },
          log: (message, fields) => s.log?.('info', message, fields),
        })
      : undefined;
    worker?.start();
    const relay =
      (s.webhookRelay ?? runWorker)
        ? startWebhookRelay({
            db: database.db,
            instanceId: this.instanceId,
            ...this.#webhooks,
            logger: s.relayLogger ?? relayLoggerFrom(s.log),
          })
        : undefined;
    const wakeups =
      worker || relay ? await this.#listenForWakeups(database, worker, relay) : undefined;
    const gauges = startJobGauges(database.db, (error) =>
      s.log?.('warn', 'could not read job counts', { error: String(error) }),
    );
    return {
      database,
      ownsDatabase: !s.database,
      commands,
      worker,
      relay,
      simulator,
      gauges,
      wakeups,
      webhooks: this.#webhooks,
    };
  }

  /**
   * Wake-ups from every instance (a job created, resumed, changed by a command): the worker
   * claims or reads the job again at once. Without them (LISTEN failing) polling still finds
   * the work, only later.
   */
  async #listenForWakeups(
    database: DatabaseHandle,
    worker: JobWorker | undefined,
    relay: WebhookRelay | undefined,
  ) {
    const log = this.#settings.log;
    const listening = (on: boolean) => {
      worker?.setListening(on);
      relay?.setListening(on);
    };
    try {
      const listener = await database.listen([JOB_WAKEUP_CHANNEL, WEBHOOK_WAKEUP_CHANNEL], {
        notified: (channel, payload) => {
          if (channel === WEBHOOK_WAKEUP_CHANNEL) return relay?.wake();
          const wakeup = parseJobWakeup(payload);
          if (wakeup === 'leases-handed-over') worker?.wakeToTakeOver();
          else worker?.wake(wakeup === 'work-queued' ? undefined : wakeup.jobId);
        },
        reconnected: () => {
          log?.('info', 'wake-up connection is back; looking for work missed meanwhile');
          listening(true);
          worker?.wakeToTakeOver();
          relay?.wake();
        },
        failed: (error) => {
          listening(false);
          log?.('warn', 'wake-up connection failed; polling until it is back', {
            error: String(error),
          });
        },
      });
      listening(true);
      return listener;
    } catch (error) {
      log?.('warn', 'could not LISTEN for wake-ups; jobs are found by polling only', {
        error: String(error),
      });
      return undefined;
    }
  }

  async #anthropic(): Promise<{ api: BatchApi; simulator: RunningSimulator | undefined }> {
    const s = this.#settings;
    if (s.batchApi) return { api: instrumentBatchApi(s.batchApi), simulator: undefined };
    const apiKey = s.anthropic?.apiKey ?? process.env.ANTHROPIC_API_KEY;
    const requestsPerMinute = s.anthropic?.requestsPerMinute;
    if (apiKey) {
      const gateway = new AnthropicGateway({
        apiKey,
        baseURL: s.anthropic?.baseURL ?? process.env.ANTHROPIC_BASE_URL,
        requestsPerMinute,
      });
      return { api: instrumentBatchApi(gateway), simulator: undefined };
    }
    const simulator = await startSimulator({ host: '127.0.0.1', port: 0, latencyMs: 2000 });
    s.log?.('warn', 'no ANTHROPIC_API_KEY: using the built-in Message Batches simulator', {
      url: simulator.url,
    });
    const gateway = new AnthropicGateway({
      apiKey: 'simulator',
      baseURL: simulator.url,
      requestsPerMinute,
    });
    return { api: instrumentBatchApi(gateway), simulator };
  }

  async #enqueueWebhooks(trx: Trx, change: JobChange): Promise<void> {
    const after = change.after;
    const becameTerminal =
      change.before?.status !== after.status && after.status in TERMINAL_WEBHOOK_TYPES
        ? TERMINAL_WEBHOOK_TYPES[after.status as keyof typeof TERMINAL_WEBHOOK_TYPES]
        : undefined;
    const progressed = change.events.some(
      (e) => e.type === 'BatchResultsCollected' || e.type === 'ProgressRecorded',
    );
    const data = {
      id: after.id,
      status: after.status,
      priority: after.priority,
      totalRequests: after.totalRequests,
      uniqueRequests: after.uniqueRequests,
      deduplicatedRequests: after.deduplicatedRequests,
      createdAt: after.createdAt,
      expiresAt: after.expiresAt,
      completedAt: after.completedAt,
      failureReason: after.failureReason,
      progress: progressOf(after),
    };
    const occurredAt = new Date(after.updatedAt);
    if (becameTerminal) {
      await enqueueJobWebhooks(trx, {
        tenant: after.tenant,
        jobId: after.id,
        type: becameTerminal,
        data,
        occurredAt,
      });
    } else if (progressed) {
      await enqueueJobWebhooks(trx, {
        tenant: after.tenant,
        jobId: after.id,
        type: 'job.progress',
        data,
        occurredAt,
      });
    }
  }

  #notifyChange(oldStatus: JobStatus, after: import('../domain/job.state.js').JobState) {
    if (oldStatus !== after.status) {
      this.#notify('job:status_changed', {
        id: after.id,
        oldStatus,
        newStatus: after.status,
        progress: progressOf(after),
      });
      if (after.status === 'cancelled') this.#notify('job:cancelled', { id: after.id });
    }
    const progress = progressOf(after);
    this.#notify('job:progress', {
      id: after.id,
      progress,
      percentComplete: progress.percentComplete,
    });
  }

  #notify<K extends keyof JobNotifications>(name: K, payload: JobNotifications[K]) {
    // A listener's exception must not undo or interrupt the work that was committed.
    try {
      this.emit(name, payload);
    } catch (error) {
      this.#settings.log?.('error', `a ${name} listener threw`, { error: String(error) });
    }
  }
}

/** The relay's failures into the manager's `log` (they vanished into a silent logger before). */
function relayLoggerFrom(log: BatchJobManagerOptions['log']): RelayLogger | undefined {
  if (!log) return undefined;
  const at = (level: 'info' | 'warn' | 'error') => (fields: unknown, message?: string) =>
    log(
      level,
      message ?? '',
      fields && typeof fields === 'object' ? (fields as Record<string, unknown>) : {},
    );
  return { debug: () => {}, warn: at('warn'), error: at('error') } as unknown as RelayLogger;
}

function pickJobOptions(value: object): Partial<JobOptions> {
  return Object.fromEntries(
    Object.entries(value).filter(([key, v]) => key in DEFAULT_JOB_OPTIONS && v !== undefined),
  ) as Partial<JobOptions>;
}
