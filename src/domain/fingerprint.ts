import { createHash } from 'node:crypto';
import { canonicalJson } from './canonical-json.js';
import type { MessageParams } from './request.schema.js';

/**
 * The deduplication key of a request: the hex SHA-256 of canonicalJson(params). Key order does
 * not change it and the custom_id is not part of it, so the same question asked twice under
 * two ids has one fingerprint. Throws a ValidationError when params hold a non-JSON value.
 */
export function fingerprintParams(params: MessageParams): string {
  return createHash('sha256').update(canonicalJson(params), 'utf8').digest('hex');
}
