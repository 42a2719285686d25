import type { AuthMode, Config } from '../../config.js';
import { hasActiveApiKeys } from '../../store/api-keys.js';
import type { Db } from '../../store/schema/index.js';
import { isLoopbackHost } from './loopback-host.js';

/** The mode a server runs in, and why. */
export interface AuthDecision {
  mode: AuthMode;
  /** Said in the start-up log line. */
  reason: string;
  /** Whether any key (configured or stored) could be used right now. */
  anyKey: boolean;
}

/**
 * The one auth rule, applied once at start: `BATCHKEEPER_AUTH` when set; else `keys` when
 * `BATCHKEEPER_API_KEYS` is set or a stored key is active, else `open`. The answer holds for the
 * life of the process: revoking every key never opens a `keys` server (it answers 401 to all),
 * and storing a key never closes an `open` one (until it is restarted).
 */
export async function decideAuthMode(
  config: Pick<Config, 'auth' | 'apiKeys'>,
  db: Db,
): Promise<AuthDecision> {
  const anyKey = config.apiKeys.length > 0 || (await hasActiveApiKeys(db));
  if (config.auth) return { mode: config.auth, reason: 'BATCHKEEPER_AUTH', anyKey };
  if (config.apiKeys.length > 0)
    return { mode: 'keys', reason: 'BATCHKEEPER_API_KEYS is set', anyKey };
  return anyKey
    ? { mode: 'keys', reason: 'stored API keys exist', anyKey }
    : { mode: 'open', reason: 'no API key is configured or stored', anyKey };
}

/** Why `serve` must not start with this decision, or undefined when it may. */
export function openModeRefusal(
  decision: AuthDecision,
  host: string,
  insecureOpen: boolean,
): string | undefined {
  if (decision.mode !== 'open' || isLoopbackHost(host) || insecureOpen) return undefined;
  const why =
    decision.reason === 'BATCHKEEPER_AUTH'
      ? 'BATCHKEEPER_AUTH=open'
      : 'no API keys (auth is open: every caller is let in as tenant "default")';
  return (
    `refusing to listen on ${host} with ${why}: anyone who can reach it could use it.\n` +
    'Set BATCHKEEPER_API_KEYS or run `batchkeeper keys create --tenant T` (or set BATCHKEEPER_AUTH=keys), ' +
    'listen on a loopback HOST, or pass --insecure-open to do it anyway.'
  );
}
