import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import type { SimulatorStats } from '../../../src/anthropic/simulator/simulator.options.js';
import { createDatabase } from '../../../src/store/create-database.js';
import { migrate } from '../../../src/store/migrate.js';
import type { Db } from '../../../src/store/schema/index.js';
import {
  freePort,
  type PrivatePostgres,
  startPrivatePostgres,
} from '../../multi-instance/support/private-postgres.js';
import {
  countLeases,
  countUndelivered,
  countUnfinishedJobs,
  deliveriesByStatus,
  jobsByStatus,
} from './chaos-queries.js';
import { BIN, type Exit } from './child-process.js';
import type { Cleanups } from './cleanups.js';
import { type Disruption, type DisruptionPlan, disrupt } from './disruptions.js';
import { type PlannedJob, planJobs } from './job-plan.js';
import { type Submission, submitAll } from './job-submitter.js';
import { SeededRandom } from './seeded-random.js';
import { ServeInstance } from './serve-instance.js';
import { startSimulatorProcess } from './simulator-process.js';
import { WebhookCollector } from './webhook-collector.js';

const run = promisify(execFile);

export interface ChaosSettings {
  seed: number;
  jobs: number;
  instances: number;
  /** `batchkeeper simulator` flags: latency and the faults it injects. */
  simulatorFlags: string[];
  /** The instances' environment beyond what the run sets itself (timings). */
  instanceEnv: Record<string, string>;
  disruptions: DisruptionPlan;
  /** How long the client takes to submit every job (ms). */
  submitOverMs: number;
}

/** Everything a chaos run did and saw, for the checks. */
export interface ChaosRun {
  settings: ChaosSettings;
  db: Db;
  logDir: string;
  plan: PlannedJob[];
  submissions: Submission[];
  disruptions: Disruption[];
  collector: WebhookCollector;
  simulator: SimulatorStats;
  /** How each instance's last process ended (SIGTERM at the end of the run). */
  finalExits: Exit[];
  /** What `batchkeeper projections rebuild --check --json` said, with its exit code. */
  projections: { code: number; report: unknown };
  /** Wall-clock ms: start to all submitted, to all terminal, to all webhooks delivered. */
  timings: { submitted: number; terminal: number; delivered: number };
}

/** How long the run waits for each end state before it fails, saying what it saw. */
const DEADLINES_MS = { terminal: 8 * 60_000, delivered: 3 * 60_000, leases: 60_000 };

/**
 * Runs the whole scenario: a private Postgres, one simulator process, N
 * `serve` processes, a webhook collector; submits the planned jobs while
 * disrupting; waits until every job is terminal, every callback delivered
 * and every lease gone; stops the instances with SIGTERM; checks the
 * projections against the log. The caller asserts on what it returns.
 */
export async function runChaos(
  settings: ChaosSettings,
  logDir: string,
  cleanups: Cleanups,
): Promise<ChaosRun> {
  const postgres = await startPrivatePostgres();
  cleanups.add(() => postgres.destroy());
  const database = await createDatabase({ databaseUrl: postgres.url, poolSize: 4 });
  cleanups.add(() => database.close());
  await migrate(database.db);

  const simulator = await startSimulatorProcess(
    [...settings.simulatorFlags, '--seed', String(settings.seed)],
    join(logDir, 'simulator.log'),
  );
  cleanups.add(() => simulator.stop());
  const collector = new WebhookCollector(new SeededRandom(settings.seed + 3), 0.15);
  await collector.start();
  cleanups.add(() => collector.stop());

  const plan = planJobs(new SeededRandom(settings.seed), {
    jobs: settings.jobs,
    prompts: settings.jobs * 2,
    maxRequestsPerJob: 8,
    callbackRate: 0.4,
    callbackBase: collector.baseUrl,
  });
  for (const job of plan) {
    if (job.callbackToken) collector.expect(job.callbackToken, job.body.webhookSecret!);
  }

  const instances = await startInstances(settings, postgres, simulator.url, logDir);
  cleanups.add(async () => {
    await Promise.all(instances.map((i) => i.retire()));
  });

  const startedAt = Date.now();
  let submittedAt = startedAt;
  const [submissions, disruptions] = await Promise.all([
    submitAll(plan, instances, new SeededRandom(settings.seed + 1), {
      concurrency: 4,
      overMs: settings.submitOverMs,
    }).then((all) => {
      submittedAt = Date.now();
      return all;
    }),
    disrupt(settings.disruptions, {
      instances,
      postgres,
      db: database.db,
      random: new SeededRandom(settings.seed + 2),
    }),
  ]);
  const db = database.db;
  await until(
    async () => (await countUnfinishedJobs(db)) === 0,
    DEADLINES_MS.terminal,
    async () => `every job terminal; jobs by status ${JSON.stringify(await jobsByStatus(db))}`,
  );
  const terminalAt = Date.now();
  await until(
    async () =>
      callbacksDelivered(plan, submissions, collector) && (await countUndelivered(db)) === 0,
    DEADLINES_MS.delivered,
    async () => `every callback delivered; outbox ${JSON.stringify(await deliveriesByStatus(db))}`,
  );
  await until(
    async () => (await countLeases(db)) === 0,
    DEADLINES_MS.leases,
    async () => `no lease left; ${await countLeases(db)} remain`,
  );
  const deliveredAt = Date.now();

  const finalExits = await Promise.all(instances.map((i) => i.kill('SIGTERM')));
  const projections = await checkProjections(postgres.url);
  return {
    settings,
    db: database.db,
    logDir,
    plan,
    submissions,
    disruptions,
    collector,
    simulator: await simulator.stats(),
    finalExits,
    projections,
    timings: {
      submitted: submittedAt - startedAt,
      terminal: terminalAt - startedAt,
      delivered: deliveredAt - startedAt,
    },
  };
}

async function startInstances(
  settings: ChaosSettings,
  postgres: PrivatePostgres,
  simulatorUrl: string,
  logDir: string,
): Promise<ServeInstance[]> {
  const instances: ServeInstance[] = [];
  for (let n = 1; n <= settings.instances; n++) {
    const name = `chaos-${n}`;
    instances.push(
      new ServeInstance(
        name,
        await freePort(),
        {
          DATABASE_URL: postgres.url,
          ANTHROPIC_API_KEY: 'test',
          ANTHROPIC_BASE_URL: simulatorUrl,
          BATCHKEEPER_INSTANCE_ID: name,
          BATCHKEEPER_WEBHOOK_ALLOW: '127.0.0.1',
          LOG_LEVEL: 'info',
          ...settings.instanceEnv,
        },
        join(logDir, `${name}.log`),
      ),
    );
  }
  await Promise.all(instances.map((i) => i.start()));
  return instances;
}

/** Every job with a callback got a verified delivery of its terminal status, answered 2xx. */
function callbacksDelivered(
  plan: readonly PlannedJob[],
  submissions: readonly Submission[],
  collector: WebhookCollector,
): boolean {
  const delivered = new Set(
    collector.deliveries
      .filter((d) => d.verified && d.answered < 300 && d.type !== 'job.progress')
      .map((d) => d.token),
  );
  const withCallback = submissions.filter((s) => s.planned.callbackToken);
  return (
    plan.length === submissions.length &&
    withCallback.every((s) => delivered.has(s.planned.callbackToken!))
  );
}

async function checkProjections(databaseUrl: string): Promise<{ code: number; report: unknown }> {
  const env = { ...process.env, DATABASE_URL: databaseUrl };
  try {
    const { stdout } = await run(
      process.execPath,
      [BIN, 'projections', 'rebuild', '--check', '--json'],
      { env },
    );
    return { code: 0, report: JSON.parse(stdout) };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string };
    return { code: failed.code ?? 1, report: failed.stdout };
  }
}

/** Polls `check` until it holds; after `deadlineMs` fails, saying what it waited for and saw. */
async function until(
  check: () => Promise<boolean>,
  deadlineMs: number,
  describe: () => Promise<string>,
): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  while (Date.now() < deadline) {
    try {
      if (await check()) return;
    } catch {
      // Postgres may be restarting.
    }
    await sleep(500);
  }
  throw new Error(`gave up after ${deadlineMs} ms waiting for ${await describe()}`);
}
