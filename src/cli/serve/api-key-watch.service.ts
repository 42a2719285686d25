import { hasActiveApiKeys } from '../../store/api-keys.js';
import type { Service } from './service.js';

/** How often the stored keys are counted (default: 5000). */
const CHECK_INTERVAL_MS = 5_000;

/**
 * For a server in `keys` mode whose keys are all stored ones: says loudly (at error level)
 * when the last key is revoked, and again when a key is back. The server stays closed either
 * way; this is so that an operator who revoked one key too many learns why every call is 401.
 */
export function apiKeyWatchService(options: {
  anyKeyAtStart: boolean;
  intervalMs?: number;
}): Service {
  return {
    name: 'api-key-watch',
    async start({ db, logger }) {
      const log = logger.child({ service: 'api-key-watch' });
      let anyKey = options.anyKeyAtStart;
      let checking: Promise<void> | undefined;
      const check = async () => {
        try {
          const now = await hasActiveApiKeys(db);
          if (now === anyKey) return;
          anyKey = now;
          if (now) log.info('an API key is active again: callers with a key are let in');
          else log.error(NO_KEYS_LEFT);
        } catch (error) {
          log.warn({ err: error }, 'could not count the stored API keys');
        }
      };
      const timer = setInterval(() => {
        checking ??= check().finally(() => {
          checking = undefined;
        });
      }, options.intervalMs ?? CHECK_INTERVAL_MS);
      timer.unref();
      return {
        async stop() {
          clearInterval(timer);
          await checking;
        },
      };
    },
  };
}

/** Logged when keys run out, at start-up or while running. */
export const NO_KEYS_LEFT =
  'no API key is left (every stored key is revoked): the server stays in keys mode and answers ' +
  '401 to every request; create one with `batchkeeper keys create --tenant T`';
