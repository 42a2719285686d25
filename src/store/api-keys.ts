import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { sql } from 'kysely';
import { NotFoundError } from '../domain/errors.js';
import type { ApiKeyRow, Db } from './schema/index.js';

/** Every key made here starts with this. */
export const API_KEY_PREFIX = 'bk_';
/** How much of a key is stored in clear, to find its row and to name it. */
const LOOKUP_LENGTH = API_KEY_PREFIX.length + 8;

/** A stored API key, without its secret. */
export interface ApiKey {
  id: string;
  tenant: string;
  name: string | null;
  /** The key's first characters, e.g. `bk_Xy12ab34`. */
  prefix: string;
  createdAt: Date;
  revokedAt: Date | null;
}

/** Hex SHA-256 of a key; the only form in which a key is kept. */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** True when two hex hashes are equal, in time that does not depend on where they differ. */
export function sameHash(a: string, b: string): boolean {
  const left = Buffer.from(a, 'hex');
  const right = Buffer.from(b, 'hex');
  return left.length === right.length && timingSafeEqual(left, right);
}

/** Makes a random key (`bk_` + 43 characters) for a tenant and stores its hash; the key is returned only here. */
export async function createApiKey(
  db: Db,
  input: { tenant: string; name?: string | undefined },
): Promise<{ key: string; apiKey: ApiKey }> {
  const key = `${API_KEY_PREFIX}${randomBytes(32).toString('base64url')}`;
  const row = await db
    .insertInto('api_keys')
    .values({
      id: `key_${randomBytes(8).toString('hex')}`,
      tenant: input.tenant,
      name: input.name ?? null,
      prefix: key.slice(0, LOOKUP_LENGTH),
      key_hash: hashApiKey(key),
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return { key, apiKey: rowToApiKey(row) };
}

/** Whether `key` has the shape of a key made here (anything else is never looked up). */
export function mayBeStoredApiKey(key: string): boolean {
  return key.startsWith(API_KEY_PREFIX) && key.length > LOOKUP_LENGTH;
}

/** The active stored key that `key` is, if any. */
export async function findActiveApiKey(db: Db, key: string): Promise<ApiKey | undefined> {
  if (!mayBeStoredApiKey(key)) return undefined;
  const candidates = await db
    .selectFrom('api_keys')
    .selectAll()
    .where('prefix', '=', key.slice(0, LOOKUP_LENGTH))
    .where('revoked_at', 'is', null)
    .execute();
  const hash = hashApiKey(key);
  const match = candidates.find((row) => sameHash(row.key_hash, hash));
  return match && rowToApiKey(match);
}

/** The id, hash and tenant of every stored key that is not revoked (what the server's key cache holds). */
export async function listActiveApiKeyHashes(
  db: Db,
): Promise<Array<{ id: string; tenant: string; keyHash: string }>> {
  const rows = await db
    .selectFrom('api_keys')
    .select(['id', 'tenant', 'key_hash'])
    .where('revoked_at', 'is', null)
    .execute();
  return rows.map((row) => ({ id: row.id, tenant: row.tenant, keyHash: row.key_hash }));
}

/** True when at least one stored key is not revoked (the server is then closed to anonymous callers). */
export async function hasActiveApiKeys(db: Db): Promise<boolean> {
  const row = await db
    .selectFrom('api_keys')
    .select('id')
    .where('revoked_at', 'is', null)
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}

/** Stored keys, oldest first (default: revoked ones too). */
export async function listApiKeys(
  db: Db,
  options: { includeRevoked?: boolean } = {},
): Promise<ApiKey[]> {
  let query = db.selectFrom('api_keys').selectAll().orderBy('created_at').orderBy('id');
  if (options.includeRevoked === false) query = query.where('revoked_at', 'is', null);
  return (await query.execute()).map(rowToApiKey);
}

/** Revokes a key (a key already revoked stays as it was); throws `NotFoundError` for an unknown id. */
export async function revokeApiKey(db: Db, id: string): Promise<ApiKey> {
  const revoked = await db
    .updateTable('api_keys')
    .set({ revoked_at: sql<Date>`now()` })
    .where('id', '=', id)
    .where('revoked_at', 'is', null)
    .returningAll()
    .executeTakeFirst();
  if (revoked) return rowToApiKey(revoked);
  const existing = await db
    .selectFrom('api_keys')
    .selectAll()
    .where('id', '=', id)
    .executeTakeFirst();
  if (!existing) throw new NotFoundError(`no API key ${id}`);
  return rowToApiKey(existing);
}

function rowToApiKey(row: ApiKeyRow): ApiKey {
  return {
    id: row.id,
    tenant: row.tenant,
    name: row.name,
    prefix: row.prefix,
    createdAt: row.created_at,
    revokedAt: row.revoked_at,
  };
}
