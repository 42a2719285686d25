import { setTimeout as sleep } from 'node:timers/promises';
import { sql } from 'kysely';
import type { Db } from '../../../src/store/schema/index.js';
import type { PrivatePostgres } from '../../multi-instance/support/private-postgres.js';
import type { Exit } from './child-process.js';
import type { SeededRandom } from './seeded-random.js';
import type { ServeInstance } from './serve-instance.js';

/** Something done to the running system, and what was seen of it. */
export interface Disruption {
  kind: 'sigkill' | 'sigterm' | 'postgres-restart';
  /** Wall-clock time (ms) it was done. */
  at: number;
  instance?: string;
  /** Jobs the instance held under a live lease just before. */
  heldJobs: string[];
  exit?: Exit;
  /** /readyz answers seen while Postgres restarted: 503s and 200s. */
  readiness?: { notReady: number; ready: number };
}

export interface DisruptionPlan {
  /** How long disruptions go on (ms). */
  durationMs: number;
  /** Wait between two SIGKILLs (ms), drawn in [min, max]. */
  killEveryMs: [number, number];
  /** Time until a SIGKILLed instance is started again (ms), drawn in [min, max]. */
  restartAfterMs: [number, number];
  /** When (ms from the start) one instance is sent SIGTERM. */
  sigtermAtMs: number;
  /** When (ms from the start) Postgres is restarted. */
  postgresRestartAtMs: number;
}

/**
 * SIGKILLs random instances at random moments and starts them again, sends
 * one SIGTERM, restarts Postgres once; returns what it did once every
 * instance is running again.
 */
export async function disrupt(
  plan: DisruptionPlan,
  system: { instances: ServeInstance[]; postgres: PrivatePostgres; db: Db; random: SeededRandom },
): Promise<Disruption[]> {
  const { instances, random } = system;
  const done: Disruption[] = [];
  const restarts: Promise<void>[] = [];
  const startedAt = Date.now();
  let sigtermSent = false;
  let postgresRestarted = false;
  let nextKillAt = startedAt + random.int(...plan.killEveryMs);
  const restartLater = (instance: ServeInstance, ms: number) =>
    restarts.push(sleep(ms).then(() => instance.start()));

  while (Date.now() - startedAt < plan.durationMs) {
    const elapsed = Date.now() - startedAt;
    const running = instances.filter((i) => i.running);
    const ready = instances.filter((i) => i.ready);
    // SIGTERM goes to an instance past start-up: one still starting has no handler yet.
    if (!sigtermSent && elapsed >= plan.sigtermAtMs && ready.length > 0) {
      sigtermSent = true;
      const instance = random.pick(ready);
      const heldJobs = await liveLeasesOf(system.db, instance.name);
      const at = Date.now();
      const exit = await instance.kill('SIGTERM');
      done.push({ kind: 'sigterm', at, instance: instance.name, heldJobs, exit });
      restartLater(instance, 1000);
    } else if (!postgresRestarted && elapsed >= plan.postgresRestartAtMs) {
      postgresRestarted = true;
      const at = Date.now();
      const readiness = await watchReadiness(instances, () => system.postgres.restart());
      done.push({ kind: 'postgres-restart', at, heldJobs: [], readiness });
    } else if (Date.now() >= nextKillAt && running.length > 1) {
      const instance = random.pick(running);
      const heldJobs = await liveLeasesOf(system.db, instance.name);
      const at = Date.now();
      const exit = await instance.kill('SIGKILL');
      done.push({ kind: 'sigkill', at, instance: instance.name, heldJobs, exit });
      restartLater(instance, random.int(...plan.restartAfterMs));
      nextKillAt = Date.now() + random.int(...plan.killEveryMs);
    }
    await sleep(50);
  }
  await Promise.all(restarts);
  await Promise.all(instances.map((i) => i.start()));
  return done;
}

/** Polls every running instance's /readyz while `action` runs, and a second after. */
async function watchReadiness(
  instances: ServeInstance[],
  action: () => Promise<void>,
): Promise<{ notReady: number; ready: number }> {
  const seen = { notReady: 0, ready: 0 };
  let watching = true;
  const poll = (async () => {
    while (watching) {
      await Promise.all(
        instances
          .filter((i) => i.running)
          .map(async (i) => {
            const status = await fetch(`${i.url}/readyz`).then(
              (r) => r.status,
              () => 0,
            );
            if (status === 503) seen.notReady += 1;
            if (status === 200) seen.ready += 1;
          }),
      );
      await sleep(25);
    }
  })();
  await action();
  await sleep(1000);
  watching = false;
  await poll;
  return seen;
}

/** Jobs `owner` holds under a lease that has not lapsed (empty when Postgres cannot say). */
async function liveLeasesOf(db: Db, owner: string): Promise<string[]> {
  try {
    const rows = await db
      .selectFrom('job_leases')
      .select('job_id')
      .where('owner', '=', owner)
      .where('expires_at', '>', sql<Date>`now()`)
      .execute();
    return rows.map((r) => r.job_id);
  } catch {
    return [];
  }
}
