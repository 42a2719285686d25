import { createHash } from 'node:crypto';
import { canonicalJson } from './canonical-json.js';
import type { JobConfig } from './job-config.schema.js';

const VERSION = 'v2:';

/**
 * What an Idempotency-Key is checked against: the job's options as canonical JSON, then each
 * request's custom_id and params fingerprint in order. The fingerprints are computed anyway,
 * so the requests are not serialized a second time.
 */
export function hashJobConfig(config: JobConfig, fingerprints: readonly string[]): string {
  const { idempotencyKey: _key, requests, ...options } = config;
  const hash = createHash('sha256').update(canonicalJson(options)).update('\n');
  requests.forEach((request, i) => {
    hash.update(`${JSON.stringify(request.custom_id)} ${fingerprints[i]}\n`);
  });
  return VERSION + hash.digest('hex');
}

/**
 * Whether a stored hash was made from this config: by hashJobConfig, or, for a job created
 * before it, from the canonical JSON of the whole config.
 */
export function configHashMatches(
  stored: string,
  config: JobConfig,
  fingerprints: readonly string[],
): boolean {
  if (stored.startsWith(VERSION)) return stored === hashJobConfig(config, fingerprints);
  const { idempotencyKey: _key, ...rest } = config;
  return stored === createHash('sha256').update(canonicalJson(rest)).digest('hex');
}
