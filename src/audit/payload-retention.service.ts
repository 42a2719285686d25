import type { Service } from '../cli/serve/service.js';
import { type Clock, systemClock } from '../domain/clock.js';
import { purgeExpiredPayloads } from './purge-expired-payloads.js';

/** Between rounds that found nothing more to purge (default: 1 hour). */
const RETENTION_INTERVAL_MS = 3_600_000;

/**
 * BATCHKEEPER_PURGE_AFTER_DAYS in `serve`: now and then every interval, purges the payloads of
 * the jobs that ended longer ago, round after round while there are more. A failed round is
 * logged and tried again at the next interval.
 */
export function payloadRetentionService(options: {
  afterDays: number;
  clock?: Clock;
  intervalMs?: number;
}): Service {
  return {
    name: 'payload-retention',
    async start({ db, logger }) {
      const log = logger.child({ service: 'payload-retention' });
      const clock = options.clock ?? systemClock;
      let stopping = false;
      let running: Promise<void> | undefined;
      const run = async () => {
        try {
          for (;;) {
            const round = await purgeExpiredPayloads(db, { afterDays: options.afterDays, clock });
            if (round.jobs > 0) {
              log.info(
                { jobs: round.jobs, results: round.results, requestBodies: round.requestBodies },
                `payloads of jobs ended over ${options.afterDays} days ago purged`,
              );
            }
            if (!round.more || stopping) return;
          }
        } catch (error) {
          log.error({ err: error }, 'purging expired payloads failed; tried again later');
        }
      };
      const tick = () => {
        running ??= run().finally(() => {
          running = undefined;
        });
      };
      tick();
      const timer = setInterval(tick, options.intervalMs ?? RETENTION_INTERVAL_MS);
      timer.unref();
      return {
        async stop() {
          stopping = true;
          clearInterval(timer);
          await running;
        },
      };
    },
  };
}
