import type { MiddlewareHandler } from 'hono';
import type { AuthMode, ConfiguredApiKey } from '../config.js';
import { AuthenticationError } from '../domain/errors.js';
import { hashApiKey, mayBeStoredApiKey, sameHash } from '../store/api-keys.js';
import type { Db } from '../store/schema/index.js';
import type { AppEnv } from './app-env.js';
import { StoredApiKeys, type StoredApiKeysOptions } from './stored-api-keys.js';

/** The tenant of every anonymous request when the server runs open. */
export const OPEN_TENANT = 'default';

export interface AuthenticationOptions {
  db: Db;
  /**
   * `keys`: a request without a key is 401, whatever keys exist (none left: every request is
   * 401). `open`: a request without a key is tenant `default`. Fixed for the app's lifetime.
   */
  mode: AuthMode;
  /** Keys from `BATCHKEEPER_API_KEYS` (default: none). */
  apiKeys?: readonly ConfiguredApiKey[];
  /** Paths anyone may call: exact (`/healthz`) or a prefix ending in `/*` (`/docs/*`). */
  publicPaths?: readonly string[];
  /** How stored keys are cached (defaults: a read vouches for 1 s; see StoredApiKeys). */
  storedKeys?: Omit<StoredApiKeysOptions, 'db'> | undefined;
}

/**
 * Sets `c.var.tenant` from the caller's key, sent as `Authorization: Bearer
 * <key>` or `x-api-key`, checked against the configured keys and the keys of
 * the api_keys table. Those are read as a whole and kept briefly
 * (StoredApiKeys): a key made while the server runs works at once, and a
 * revoked one is refused to every request that arrives more than 1 s after
 * the revocation. A request without a key never touches the database; it is
 * 401 in `keys` mode and tenant `default` in `open` mode; whether keys exist
 * never changes the mode. A key that matches nothing is 401 in both, so a
 * misconfigured client learns of it.
 */
export function authentication(options: AuthenticationOptions): MiddlewareHandler<AppEnv> {
  const configured = (options.apiKeys ?? []).map((k) => ({
    tenant: k.tenant,
    hash: hashApiKey(k.key),
  }));
  const isPublic = publicPathMatcher(options.publicPaths ?? []);
  const stored = new StoredApiKeys({ ...options.storedKeys, db: options.db });

  return async function authenticationMiddleware(c, next) {
    if (isPublic(c.req.path)) return next();
    const presented = presentedKey(c.req.header('authorization'), c.req.header('x-api-key'));
    if (presented === undefined) {
      if (options.mode === 'open') {
        c.set('tenant', OPEN_TENANT);
        return next();
      }
      throw new AuthenticationError(
        'an API key is required: send "Authorization: Bearer <key>" or "x-api-key: <key>"',
      );
    }
    const hash = hashApiKey(presented);
    // Compare against every configured key so the time taken does not tell which one matched.
    let tenant: string | undefined;
    for (const key of configured) if (sameHash(key.hash, hash)) tenant ??= key.tenant;
    // A configured key has no id: events name it by its fingerprint; a stored one by its id.
    let keyId = tenant === undefined ? undefined : apiKeyFingerprint(hash);
    if (tenant === undefined && mayBeStoredApiKey(presented)) {
      const key = await stored.keyOf(hash);
      tenant = key?.tenant;
      keyId = key?.id;
    }
    if (tenant === undefined) throw new AuthenticationError('invalid API key');
    c.set('tenant', tenant);
    c.set('apiKeyId', keyId);
    return next();
  };
}

/**
 * How events name a key from BATCHKEEPER_API_KEYS, which has no id (docs/audit.md): enough of
 * its hash to tell it from the others, nothing of the key.
 */
export function apiKeyFingerprint(keyHash: string): string {
  return `sha256:${keyHash.slice(0, 16)}`;
}

function presentedKey(
  authorization: string | undefined,
  apiKeyHeader: string | undefined,
): string | undefined {
  if (authorization !== undefined) {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    if (!match?.[1])
      throw new AuthenticationError('the Authorization header must be "Bearer <key>"');
    return match[1];
  }
  const key = apiKeyHeader?.trim();
  return key ? key : undefined;
}

function publicPathMatcher(paths: readonly string[]): (path: string) => boolean {
  const exact = new Set(paths.filter((p) => !p.endsWith('/*')));
  const prefixes = paths.filter((p) => p.endsWith('/*')).map((p) => p.slice(0, -1));
  return (path) => exact.has(path) || prefixes.some((prefix) => path.startsWith(prefix));
}
