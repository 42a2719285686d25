import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StoredApiKeys } from '../../src/http/stored-api-keys.js';
import { createApiKey, hashApiKey, revokeApiKey } from '../../src/store/api-keys.js';
import type { DatabaseHandle } from '../../src/store/create-database.js';
import { openTestDatabase } from '../support/database.js';
import { countingDb } from './counting-db.js';

describe('StoredApiKeys: the stored keys read as a whole and kept briefly', () => {
  let database: DatabaseHandle;
  beforeAll(async () => {
    database = await openTestDatabase();
  });
  afterAll(() => database.close());

  /** A cache on a clock the test moves, and the number of reads it made. */
  function cache(options: { maxAgeMs?: number; missGapMs?: number } = {}) {
    const counted = countingDb(database.db);
    const clock = { now: 10_000 };
    const keys = new StoredApiKeys({
      db: counted.db,
      now: () => clock.now,
      missGapMs: 0,
      ...options,
    });
    return { keys, clock, reads: counted.statements };
  }

  it('answers requests from one read while it is fresh', async () => {
    const { key } = await createApiKey(database.db, { tenant: 'fresh' });
    const { keys, clock, reads } = cache();
    for (let i = 0; i < 5; i++) {
      expect(await keys.tenantOf(hashApiKey(key))).toBe('fresh');
      clock.now += 90;
    }
    expect(reads()).toBe(1);
  });

  it('refuses a revoked key to every request arriving more than maxAgeMs after the read that let it in', async () => {
    const { key, apiKey } = await createApiKey(database.db, { tenant: 'revoked' });
    const { keys, clock } = cache({ maxAgeMs: 1000 });
    expect(await keys.tenantOf(hashApiKey(key))).toBe('revoked');
    await revokeApiKey(database.db, apiKey.id);
    // The documented bound: up to maxAgeMs after the read that vouched for it...
    clock.now += 400;
    expect(await keys.tenantOf(hashApiKey(key))).toBe('revoked');
    // ...and never after.
    clock.now += 601;
    expect(await keys.tenantOf(hashApiKey(key))).toBeUndefined();
    clock.now += 5_000;
    expect(await keys.tenantOf(hashApiKey(key))).toBeUndefined();
  });

  it('reads again ahead of time once a read is half its age, so requests seldom wait', async () => {
    const { key } = await createApiKey(database.db, { tenant: 'ahead' });
    const { keys, clock, reads } = cache({ maxAgeMs: 1000 });
    await keys.tenantOf(hashApiKey(key));
    clock.now += 600;
    expect(await keys.tenantOf(hashApiKey(key))).toBe('ahead');
    // Answered from the first read; the second one began then, in the background.
    clock.now += 500;
    expect(await keys.tenantOf(hashApiKey(key))).toBe('ahead');
    expect(reads()).toBe(2);
  });

  it('finds a key made after its last read at once', async () => {
    const { keys, clock } = cache();
    expect(await keys.tenantOf(hashApiKey('bk_not-made-yet'))).toBeUndefined();
    const { key } = await createApiKey(database.db, { tenant: 'new' });
    clock.now += 1;
    expect(await keys.tenantOf(hashApiKey(key))).toBe('new');
  });

  it('shares one read among many lookups of unknown keys arriving together', async () => {
    const { keys, reads } = cache();
    const wrong = Array.from({ length: 50 }, (_, i) => keys.tenantOf(hashApiKey(`bk_wrong-${i}`)));
    expect(await Promise.all(wrong)).toEqual(Array(50).fill(undefined));
    expect(reads()).toBe(1);
  });

  it('spaces the reads that unknown keys cause by missGapMs', async () => {
    const counted = countingDb(database.db);
    const keys = new StoredApiKeys({ db: counted.db, missGapMs: 40 });
    const started = performance.now();
    for (let i = 0; i < 4; i++) await keys.tenantOf(hashApiKey(`bk_guess-${i}`));
    expect(counted.statements()).toBe(4);
    // Three gaps between four reads (the timers may fire a little early, never much).
    expect(performance.now() - started).toBeGreaterThanOrEqual(3 * 40 - 5);
  });
});
