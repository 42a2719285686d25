import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/domain/clock.js';
import { statsRoutes } from '../../src/http/stats.routes.js';
import type { StatsSeries, TodayStats } from '../../src/http/stats-series.js';
import type { BatchJobManager, JobDetails, JobStats } from '../../src/manager/batch-job-manager.js';
import { request, TestBed, waitUntil } from '../support/manager.js';
import { API_KEYS, type Tenant } from './jobs-harness.js';
import { buildTestApp } from './test-app.js';

type StatsBody = JobStats & TodayStats;
interface ErrorBody {
  error: { issues: { path: string }[] };
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

describe('the tenant’s statistics and series (GET /v1/stats, /v1/stats/series)', () => {
  let bed: TestBed;
  let manager: BatchJobManager;
  let app: ReturnType<typeof buildTestApp>['app'];
  const clock = new ManualClock();
  const jobs: Record<Tenant, JobDetails[]> = { acme: [], globex: [] };
  let createdAt: Record<Tenant, Date[]>;
  let latest: Date;

  const run = async (tenant: Tenant, requests: number) => {
    const { id } = await manager.forTenant(tenant).createJob({
      requests: Array.from({ length: requests }, (_, i) =>
        request(`${tenant}-${jobs[tenant].length}-${i}`),
      ),
    });
    await waitUntil(async () => {
      const job = await manager.forTenant(tenant).getJob(id);
      return job?.status === 'completed' || job?.status === 'failed';
    });
    jobs[tenant].push((await manager.forTenant(tenant).getJob(id))!);
  };

  const get = async (path: string, tenant: Tenant = 'acme') => {
    const key = API_KEYS.find((k) => k.tenant === tenant)!.key;
    return app.request(path, { headers: { authorization: `Bearer ${key}` } });
  };
  const stats = async (tenant: Tenant = 'acme') =>
    (await (await get('/v1/stats', tenant)).json()) as StatsBody;
  const series = async (query = '', tenant: Tenant = 'acme') =>
    (await (await get(`/v1/stats/series${query}`, tenant)).json()) as StatsSeries;

  beforeAll(async () => {
    bed = await TestBed.open({ faults: { erroredResultRates: { overloaded_error: 1 } } });
    manager = bed.manager();
    ({ app } = buildTestApp(bed.database, {
      apiKeys: [...API_KEYS],
      routes: [statsRoutes({ manager, clock })],
    }));
    await run('acme', 2); // every attempt errored (overloaded_error)
    bed.simulator.setFaults({ erroredResultRates: { overloaded_error: 0 } });
    await run('acme', 3);
    await run('globex', 1);
    const db = bed.database.db;
    // Webhook deliveries in each state, for both tenants; due in a month, so the relay leaves them be.
    for (const [tenant, statuses] of [
      ['acme', ['pending', 'pending', 'dead', 'delivered']],
      ['globex', ['dead']],
    ] as const) {
      await sql`insert into webhook_endpoints (id, tenant, kind, url, event_types, secret, created_at)
        values (${`ep_${tenant}`}, ${tenant}, 'subscription', 'https://hooks.example.com/x',
                '["job.completed"]'::jsonb, 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', now())`.execute(
        db,
      );
      for (const [i, status] of statuses.entries()) {
        await sql`insert into webhook_deliveries
            (id, tenant, endpoint_id, event_type, body, status, max_attempts, next_attempt_at, created_at)
          values (${`d_${tenant}_${i}`}, ${tenant}, ${`ep_${tenant}`}, 'job.completed', '{}',
                  ${status}, 5, now() + interval '30 days', now())`.execute(db);
      }
    }
    const { rows } = await sql<{ stream_id: string; tenant: Tenant; recorded_at: Date }>`
      select stream_id, metadata->>'tenant' as tenant, recorded_at from events
      where type = 'JobCreated' order by position`.execute(db);
    createdAt = { acme: [], globex: [] };
    for (const row of rows) createdAt[row.tenant].push(new Date(row.recorded_at));
    const { rows: last } = await sql<{ at: Date }>`
      select greatest((select max(recorded_at) from events),
                      (select max(recorded_at) from request_results)) as at`.execute(db);
    latest = new Date(last[0]!.at);
    clock.set(new Date(latest.getTime() + 1));
  });
  afterAll(() => bed.close());

  const sum = (list: JobDetails[], pick: (j: JobDetails) => number) =>
    list.reduce((total, job) => total + pick(job), 0);

  it('adds today’s tokens and cost, errors by type and the webhook backlog to the totals', async () => {
    const body = await stats();
    expect(body).toMatchObject({
      totalCreated: 2,
      byStatus: { [jobs.acme[1]!.status]: expect.any(Number) },
      queueDepth: 0,
      today: {
        since: new Date(Math.floor(clock.now().getTime() / DAY) * DAY).toISOString(),
        inputTokens: sum(jobs.acme, (j) => j.usage.inputTokens),
        outputTokens: sum(jobs.acme, (j) => j.usage.outputTokens),
        // Every errored attempt, the retried ones too: the jobs' error counts.
        errorsByType: { overloaded_error: sum(jobs.acme, (j) => j.errorCount) },
      },
      webhookDeliveries: { pending: 2, dead: 1 },
    });
    expect(body.today.inputTokens).toBeGreaterThan(0);
    expect(body.today.errorsByType.overloaded_error).toBeGreaterThanOrEqual(2);
    expect(body.today.costUsd).toBeCloseTo(
      sum(jobs.acme, (j) => j.usage.costUsd ?? 0),
      6,
    );
  });

  it('shows each tenant only its own', async () => {
    const body = await stats('globex');
    expect(body).toMatchObject({
      totalCreated: 1,
      today: { inputTokens: jobs.globex[0]!.usage.inputTokens },
      webhookDeliveries: { pending: 0, dead: 1 },
    });
    expect(body.today.inputTokens).toBeGreaterThan(0);
    expect(body.today.errorsByType).toEqual({});
  });

  it('counts today from UTC midnight of the clock: tomorrow starts at zero', async () => {
    clock.set(new Date(Math.floor(latest.getTime() / DAY) * DAY + DAY));
    try {
      const { today } = await stats();
      expect(today).toMatchObject({ inputTokens: 0, outputTokens: 0, costUsd: 0 });
      expect(today.errorsByType).toEqual({});
    } finally {
      clock.set(new Date(latest.getTime() + 1));
    }
  });

  it('counts jobs created and completed in each hour of the window, the current one last', async () => {
    const { hourly } = await series('?hours=48&days=14');
    expect(hourly).toHaveLength(48);
    const hourOf = (d: Date) => new Date(Math.floor(d.getTime() / HOUR) * HOUR).toISOString();
    expect(hourly.at(-1)?.hour).toBe(hourOf(clock.now()));
    expect(hourly[0]?.hour).toBe(hourOf(new Date(clock.now().getTime() - 47 * HOUR)));
    const created = new Map<string, number>();
    for (const at of createdAt.acme) created.set(hourOf(at), (created.get(hourOf(at)) ?? 0) + 1);
    for (const bucket of hourly)
      expect(bucket.created, bucket.hour).toBe(created.get(bucket.hour) ?? 0);
    const completed = jobs.acme.filter((j) => j.status === 'completed').length;
    expect(hourly.reduce((n, h) => n + h.completed, 0)).toBe(completed);
  });

  it('sums tokens and cost per day, today last, and leaves out what is past the window', async () => {
    const { daily, hourly } = await series('?hours=2&days=3');
    expect(daily).toHaveLength(3);
    expect(hourly).toHaveLength(2);
    expect(daily.at(-1)).toMatchObject({
      day: clock.now().toISOString().slice(0, 10),
      inputTokens: sum(jobs.acme, (j) => j.usage.inputTokens),
      outputTokens: sum(jobs.acme, (j) => j.usage.outputTokens),
    });
    clock.set(new Date(latest.getTime() + 49 * HOUR));
    try {
      const later = await series('?hours=48&days=14');
      expect(later.hourly.every((h) => h.created === 0)).toBe(true);
      const total = later.daily.reduce(
        (n: number, d: { inputTokens: number }) => n + d.inputTokens,
        0,
      );
      expect(total).toBe(sum(jobs.acme, (j) => j.usage.inputTokens));
    } finally {
      clock.set(new Date(latest.getTime() + 1));
    }
  });

  it('gives the other tenant its own series', async () => {
    const { hourly } = await series('', 'globex');
    expect(hourly).toHaveLength(48);
    expect(hourly.reduce((n, h) => n + h.created, 0)).toBe(1);
  });

  it.each([
    ['hours=0', 'hours'],
    ['hours=745', 'hours'],
    ['days=abc', 'days'],
    ['days=367', 'days'],
    ['hours=1.5', 'hours'],
  ])('refuses %s with a 400 naming %s', async (query, field) => {
    const response = await get(`/v1/stats/series?${query}`);
    expect(response.status).toBe(400);
    const { error } = (await response.json()) as ErrorBody;
    expect(error.issues.map((i) => i.path)).toEqual([field]);
  });
});
