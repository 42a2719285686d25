import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NotFoundError } from '../../src/domain/errors.js';
import {
  createApiKey,
  findActiveApiKey,
  hasActiveApiKeys,
  hashApiKey,
  listApiKeys,
  revokeApiKey,
} from '../../src/store/api-keys.js';
import type { DatabaseHandle } from '../../src/store/create-database.js';
import { openTestDatabase } from '../support/database.js';

describe('stored API keys', () => {
  let database: DatabaseHandle;
  beforeAll(async () => {
    database = await openTestDatabase();
  });
  afterAll(async () => {
    await database.close();
  });

  it('report none active on a fresh database', async () => {
    expect(await hasActiveApiKeys(database.db)).toBe(false);
  });

  it('are made as bk_ keys with their prefix and tenant on record', async () => {
    const { key, apiKey } = await createApiKey(database.db, { tenant: 'acme', name: 'ci' });
    expect(key).toMatch(/^bk_[A-Za-z0-9_-]{43}$/);
    expect(apiKey).toMatchObject({ tenant: 'acme', name: 'ci', prefix: key.slice(0, 11) });
    expect(apiKey.id).toMatch(/^key_[0-9a-f]{16}$/);
  });

  it('keep only a hash of the key', async () => {
    const { key, apiKey } = await createApiKey(database.db, { tenant: 'acme' });
    const row = await database.db
      .selectFrom('api_keys')
      .selectAll()
      .where('id', '=', apiKey.id)
      .executeTakeFirstOrThrow();
    expect(row.key_hash).toBe(hashApiKey(key));
    expect(JSON.stringify(row)).not.toContain(key);
  });

  it('are found by the key itself', async () => {
    const { key, apiKey } = await createApiKey(database.db, { tenant: 'globex' });
    expect(await findActiveApiKey(database.db, key)).toEqual(apiKey);
  });

  it('are not found by a key that shares the prefix only', async () => {
    const { key } = await createApiKey(database.db, { tenant: 'globex' });
    const forged = `${key.slice(0, 11)}${'A'.repeat(key.length - 11)}`;
    expect(await findActiveApiKey(database.db, forged)).toBeUndefined();
  });

  it('are no longer found once revoked', async () => {
    const { key, apiKey } = await createApiKey(database.db, { tenant: 'globex' });
    await revokeApiKey(database.db, apiKey.id);
    expect(await findActiveApiKey(database.db, key)).toBeUndefined();
  });

  it('keep their first revocation time when revoked again', async () => {
    const { apiKey } = await createApiKey(database.db, { tenant: 'globex' });
    const first = await revokeApiKey(database.db, apiKey.id);
    const second = await revokeApiKey(database.db, apiKey.id);
    expect(first.revokedAt).toBeInstanceOf(Date);
    expect(second.revokedAt).toEqual(first.revokedAt);
  });

  it('refuse to revoke an unknown id with NotFoundError', async () => {
    await expect(revokeApiKey(database.db, 'key_unknown')).rejects.toThrow(NotFoundError);
  });

  it('are listed oldest first, revoked ones marked', async () => {
    const keys = await listApiKeys(database.db);
    expect(keys.length).toBeGreaterThan(3);
    expect(keys.some((k) => k.revokedAt !== null)).toBe(true);
    const times = keys.map((k) => k.createdAt.getTime());
    expect(times).toEqual([...times].sort((a, b) => a - b));
  });

  it('are listed without revoked ones when asked', async () => {
    const keys = await listApiKeys(database.db, { includeRevoked: false });
    expect(keys.every((k) => k.revokedAt === null)).toBe(true);
  });
});
