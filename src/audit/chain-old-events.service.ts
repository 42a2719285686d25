import type { Service } from '../cli/serve/service.js';
import { chainOldEvents } from './chain-old-events.js';

/**
 * Chains the events written before migration 0010 in the background (docs/audit.md): started
 * without waiting, in batches that each commit their progress, so a restart resumes and
 * start-up never waits for a big log. Stops at shutdown; a failure is logged, never fatal.
 */
export function chainOldEventsService(options: { eventsPerRound?: number } = {}): Service {
  return {
    name: 'chain-old-events',
    async start({ db, logger }) {
      const log = logger.child({ service: 'chain-old-events' });
      const stopping = new AbortController();
      const startedAt = Date.now();
      const running = chainOldEvents(db, {
        signal: stopping.signal,
        eventsPerRound: options.eventsPerRound,
        onRound: (chained, total) => log.info({ chained, total }, 'old events chained: a batch'),
      }).then(
        (total) => {
          if (stopping.signal.aborted)
            log.info({ total }, 'chaining old events: stopped, resumes at the next start');
          else if (total > 0)
            log.info({ total, ms: Date.now() - startedAt }, 'old events chained: all of them');
          else log.debug('old events chained: none left');
        },
        (error: unknown) =>
          log.error({ err: error }, 'chaining old events failed (run `batchkeeper audit chain`)'),
      );
      return {
        async stop() {
          stopping.abort();
          await running;
        },
      };
    },
  };
}
