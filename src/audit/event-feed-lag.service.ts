import type { Service } from '../cli/serve/service.js';
import { eventFeedLag } from '../observability/metrics.js';
import { readEventFeedLag } from '../store/audit/event-feed-lag.js';

/** How often the feed's lag is measured (default: 5000). */
const LAG_INTERVAL_MS = 5_000;

/** Keeps `batchkeeper_event_feed_lag_seconds` current (docs/audit.md); a failed read is logged. */
export function eventFeedLagService(options: { intervalMs?: number } = {}): Service {
  return {
    name: 'event-feed-lag',
    async start({ db, logger }) {
      const log = logger.child({ service: 'event-feed-lag' });
      let measuring: Promise<void> | undefined;
      const measure = async () => {
        try {
          eventFeedLag.set(await readEventFeedLag(db));
        } catch (error) {
          log.warn({ err: error }, 'could not measure the event feed’s lag');
        }
      };
      const tick = () => {
        measuring ??= measure().finally(() => {
          measuring = undefined;
        });
      };
      tick();
      const timer = setInterval(tick, options.intervalMs ?? LAG_INTERVAL_MS);
      timer.unref();
      return {
        async stop() {
          clearInterval(timer);
          await measuring;
        },
      };
    },
  };
}
