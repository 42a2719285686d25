import { setTimeout as sleep } from 'node:timers/promises';
import type { OpenAPIHono } from '@hono/zod-openapi';
import { sql } from 'kysely';
import type { SimulatorOptions } from '../../src/anthropic/simulator/simulator.options.js';
import { type HttpServer, startHttpServer } from '../../src/cli/serve/http-server.js';
import type { JobStatus } from '../../src/domain/job-status.js';
import type { AppEnv } from '../../src/http/app-env.js';
import { type JobsApiDeps, jobsApi } from '../../src/http/jobs-api.js';
import type { BatchJobManager, JobDetails } from '../../src/manager/batch-job-manager.js';
import type { BatchJobManagerOptions } from '../../src/manager/manager-options.js';
import type { Db } from '../../src/store/schema/index.js';
import type { LoggedEvent } from '../support/budget-log.js';
import { request, TestBed } from '../support/manager.js';
import { buildTestApp, type LogCapture } from './test-app.js';

/** Two tenants, one key each. */
export const API_KEYS = [
  { tenant: 'acme', key: 'acme-key-0123456789' },
  { tenant: 'globex', key: 'globex-key-0123456789' },
] as const;
export type Tenant = (typeof API_KEYS)[number]['tenant'];

export { request };

export interface CallOptions {
  /** Sent as JSON with `content-type: application/json`. */
  json?: unknown;
  /** Sent as is. */
  body?: RequestInit['body'];
  headers?: Record<string, string>;
  /** Whose key to send (default: acme). */
  tenant?: Tenant;
}

export interface JobsApiHarnessOptions {
  simulator?: SimulatorOptions;
  manager?: BatchJobManagerOptions;
  api?: Partial<Omit<JobsApiDeps, 'manager'>>;
  /** More resource modules beside the job routes (the webhook routes, for the fuzz). */
  extraRoutes?: (manager: BatchJobManager, db: Db) => OpenAPIHono<AppEnv>[];
}

/**
 * The job routes in the real app (auth with two tenants, error mapping) over a manager on a
 * fresh test database, talking to the simulator through the real SDK.
 */
export class JobsApiHarness {
  #server: HttpServer | undefined;

  private constructor(
    readonly bed: TestBed,
    readonly manager: BatchJobManager,
    readonly app: ReturnType<typeof buildTestApp>['app'],
    /** Every line the app logged. */
    readonly logs: LogCapture,
  ) {}

  static async open(options: JobsApiHarnessOptions = {}): Promise<JobsApiHarness> {
    const bed = await TestBed.open(options.simulator);
    const manager = bed.manager(options.manager);
    const { app, logs } = buildTestApp(bed.database, {
      apiKeys: [...API_KEYS],
      routes: [
        ...jobsApi({ manager, stream: { pollIntervalMs: 20 }, ...options.api }),
        ...(options.extraRoutes?.(manager, bed.database.db) ?? []),
      ],
    });
    return new JobsApiHarness(bed, manager, app, logs);
  }

  /** `app.request()` with a tenant's key. */
  call(method: string, path: string, options: CallOptions = {}): Promise<Response> {
    const key = API_KEYS.find((k) => k.tenant === (options.tenant ?? 'acme'))!.key;
    const headers: Record<string, string> = { authorization: `Bearer ${key}`, ...options.headers };
    let body = options.body;
    if (options.json !== undefined) {
      headers['content-type'] ??= 'application/json';
      body = JSON.stringify(options.json);
    }
    return Promise.resolve(this.app.request(path, { method, headers, body }));
  }

  /** Creates a job over HTTP and returns its summary; fails the test unless it is 201. */
  async createJob(
    json: Record<string, unknown>,
    tenant: Tenant = 'acme',
  ): Promise<{ id: string; status: JobStatus; totalRequests: number }> {
    const response = await this.call('POST', '/v1/jobs', { json, tenant });
    if (response.status !== 201) {
      throw new Error(`createJob answered ${response.status}: ${await response.text()}`);
    }
    return (await response.json()) as { id: string; status: JobStatus; totalRequests: number };
  }

  /**
   * Waits (bounded by the test's timeout) until the job reaches one of `statuses`, calling
   * `eachLook` before every look (a test moving a simulator's clock on lets batches end there).
   */
  async waitForStatus(
    id: string,
    statuses: JobStatus[],
    tenant: Tenant = 'acme',
    eachLook: () => void = () => {},
  ): Promise<JobDetails> {
    const jobs = this.manager.forTenant(tenant);
    for (;;) {
      eachLook();
      const job = await jobs.getJob(id);
      if (job && statuses.includes(job.status)) return job;
      await sleep(15);
    }
  }

  /** The job's log as GET /v1/jobs/:id/events answers it. */
  async eventsOf(id: string, tenant: Tenant = 'acme'): Promise<LoggedEvent[]> {
    const response = await this.call('GET', `/v1/jobs/${id}/events`, { tenant });
    return ((await response.json()) as { events: LoggedEvent[] }).events;
  }

  /** Waits (bounded by the test's timeout) until the job's log holds what `done` looks for. */
  async eventsWhen(
    id: string,
    done: (events: LoggedEvent[]) => boolean,
    tenant: Tenant = 'acme',
  ): Promise<LoggedEvent[]> {
    for (;;) {
      const events = await this.eventsOf(id, tenant);
      if (done(events)) return events;
      await sleep(20);
    }
  }

  /**
   * What creating a job writes: job rows, JobCreated events and stored requests. (Not every
   * event: a running worker appends events for jobs it is moving along.)
   */
  async written(): Promise<{ jobs: number; created: number; requests: number }> {
    const { rows } = await sql<{ jobs: number; created: number; requests: number }>`
      select (select count(*)::int from jobs) as jobs,
             (select count(*)::int from events where type = 'JobCreated') as created,
             (select count(*)::int from job_requests) as requests
    `.execute(this.bed.database.db);
    return rows[0]!;
  }

  /** Every event in the log; steady only while no worker runs. */
  async eventCount(): Promise<number> {
    const { rows } = await sql<{ n: number }>`select count(*)::int as n from events`.execute(
      this.bed.database.db,
    );
    return rows[0]!.n;
  }

  /**
   * The highest event position and the row count of every table: what "nothing was written"
   * compares (steady only while no worker runs).
   */
  async snapshot(): Promise<{ maxPosition: number; rows: Record<string, number> }> {
    const db = this.bed.database.db;
    const { rows: tables } = await sql<{ name: string }>`
      select table_name as name from information_schema.tables
      where table_schema = current_schema() and table_type = 'BASE TABLE' order by 1
    `.execute(db);
    const counts = tables.map(
      ({ name }) => sql<number>`(select count(*)::int from ${sql.table(name)})`,
    );
    const { rows } = await sql<{ max_position: number; counts: number[] }>`
      select (select coalesce(max(position), 0)::int from events) as max_position,
             array[${sql.join(counts)}] as counts
    `.execute(db);
    const row = rows[0]!;
    return {
      maxPosition: row.max_position,
      rows: Object.fromEntries(tables.map(({ name }, i) => [name, row.counts[i]!])),
    };
  }

  /** The app on a real loopback port (started once). */
  async listen(): Promise<string> {
    this.#server ??= await startHttpServer(this.app.fetch, { port: 0, host: '127.0.0.1' });
    return this.#server.url;
  }

  /** The headers a real client sends with a tenant's key. */
  authorization(tenant: Tenant = 'acme'): Record<string, string> {
    return { authorization: `Bearer ${API_KEYS.find((k) => k.tenant === tenant)!.key}` };
  }

  async close(): Promise<void> {
    await this.#server?.close(0);
    await this.bed.close();
  }
}
