import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRouter } from '../../src/http/create-router.js';
import { STORED_KEYS_MAX_AGE_MS } from '../../src/http/stored-api-keys.js';
import {
  createApiKey,
  hasActiveApiKeys,
  listApiKeys,
  revokeApiKey,
} from '../../src/store/api-keys.js';
import type { DatabaseHandle } from '../../src/store/create-database.js';
import { openTestDatabase } from '../support/database.js';
import { countingDb } from './counting-db.js';
import { buildTestApp } from './test-app.js';

const ENV_KEYS = [
  { tenant: 'acme', key: 'acme-key-0123456789' },
  { tenant: 'globex', key: 'globex-key-0123456789' },
];

/** A route that answers the tenant the request was authenticated as. */
function whoAmIRoutes() {
  const router = createRouter();
  router.get('/v1/whoami', (c) => c.json({ tenant: c.var.tenant }));
  return router;
}

async function tenantOf(response: Response) {
  expect(response.status).toBe(200);
  return ((await response.json()) as { tenant: string }).tenant;
}

describe('authentication with configured keys', () => {
  let database: DatabaseHandle;
  let app: ReturnType<typeof buildTestApp>['app'];
  beforeAll(async () => {
    database = await openTestDatabase();
    app = buildTestApp(database, { apiKeys: ENV_KEYS, routes: [whoAmIRoutes()] }).app;
  });
  afterAll(async () => {
    await database.close();
  });

  it('takes a key as Authorization: Bearer and sets its tenant', async () => {
    const response = await app.request('/v1/whoami', {
      headers: { authorization: 'Bearer globex-key-0123456789' },
    });
    expect(await tenantOf(response)).toBe('globex');
  });

  it('takes a key as x-api-key and sets its tenant', async () => {
    const response = await app.request('/v1/whoami', {
      headers: { 'x-api-key': 'acme-key-0123456789' },
    });
    expect(await tenantOf(response)).toBe('acme');
  });

  it('takes a key stored in the api_keys table', async () => {
    const { key } = await createApiKey(database.db, { tenant: 'initech' });
    const response = await app.request('/v1/whoami', {
      headers: { authorization: `Bearer ${key}` },
    });
    expect(await tenantOf(response)).toBe('initech');
  });

  it('refuses a revoked stored key with 401', async () => {
    const { key, apiKey } = await createApiKey(database.db, { tenant: 'initech' });
    await revokeApiKey(database.db, apiKey.id);
    const response = await app.request('/v1/whoami', { headers: { 'x-api-key': key } });
    expect(response.status).toBe(401);
  });

  it('refuses a wrong key with 401 authentication_error', async () => {
    const response = await app.request('/v1/whoami', {
      headers: { authorization: 'Bearer acme-key-0123456780' },
    });
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({
      error: { type: 'authentication_error', message: 'invalid API key' },
    });
  });

  it('refuses a request without a key with 401', async () => {
    const response = await app.request('/v1/whoami');
    expect(response.status).toBe(401);
    const body = (await response.json()) as { error: { type: string; message: string } };
    expect(body.error.type).toBe('authentication_error');
    expect(body.error.message).toContain('Authorization: Bearer');
  });

  it('refuses an Authorization header that is not Bearer with 401', async () => {
    const response = await app.request('/v1/whoami', {
      headers: { authorization: 'Basic YWNtZTprZXk=' },
    });
    expect(response.status).toBe(401);
  });

  it('answers an unknown route 401 before 404, so routes are not revealed to strangers', async () => {
    const response = await app.request('/v1/secret-admin');
    expect(response.status).toBe(401);
  });

  // /metrics asks for its own token in keys mode: test/http/metrics-token.test.ts.
  it.each(['/healthz', '/readyz', '/openapi.json', '/docs', '/docs/assets/init.js'])(
    'serves %s without a key',
    async (path) => {
      const response = await app.request(path);
      expect(response.status).toBe(200);
    },
  );
});

describe('authentication in open mode', () => {
  let database: DatabaseHandle;
  let app: ReturnType<typeof buildTestApp>['app'];
  beforeAll(async () => {
    database = await openTestDatabase();
    app = buildTestApp(database, { authMode: 'open', routes: [whoAmIRoutes()] }).app;
  });
  afterAll(async () => {
    await database.close();
  });

  it('lets every caller without a key in as tenant default', async () => {
    expect(await tenantOf(await app.request('/v1/whoami'))).toBe('default');
  });

  it('refuses a key that matches nothing with 401 even when open', async () => {
    const response = await app.request('/v1/whoami', {
      headers: { authorization: 'Bearer bk_doesnotexist0000000000' },
    });
    expect(response.status).toBe(401);
  });

  it('stays open when a key is stored while it runs, and takes that key for its tenant', async () => {
    const { key } = await createApiKey(database.db, { tenant: 'acme' });
    expect(await tenantOf(await app.request('/v1/whoami'))).toBe('default');
    const withKey = await app.request('/v1/whoami', { headers: { 'x-api-key': key } });
    expect(await tenantOf(withKey)).toBe('acme');
  });
});

describe('authentication in keys mode with only stored keys', () => {
  let database: DatabaseHandle;
  let app: ReturnType<typeof buildTestApp>['app'];
  beforeAll(async () => {
    database = await openTestDatabase();
    app = buildTestApp(database, { authMode: 'keys', routes: [whoAmIRoutes()] }).app;
  });
  afterAll(async () => {
    await database.close();
  });

  // In order: no key yet, then one, then none again.
  it('refuses every caller with 401 while no key exists at all', async () => {
    expect((await app.request('/v1/whoami')).status).toBe(401);
  });

  it('takes a key stored while it runs', async () => {
    const { key } = await createApiKey(database.db, { tenant: 'dave' });
    const response = await app.request('/v1/whoami', { headers: { 'x-api-key': key } });
    expect(await tenantOf(response)).toBe('dave');
    expect((await app.request('/v1/whoami')).status).toBe(401);
  });

  it('stays closed to everyone when the last key is revoked', async () => {
    const { key, apiKey } = await createApiKey(database.db, { tenant: 'erin' });
    for (const stored of await listApiKeys(database.db)) await revokeApiKey(database.db, stored.id);
    expect(await hasActiveApiKeys(database.db)).toBe(false);
    expect(apiKey.tenant).toBe('erin');
    expect((await app.request('/v1/whoami')).status).toBe(401);
    expect((await app.request('/v1/whoami', { method: 'POST' })).status).toBe(401);
    expect((await app.request('/v1/whoami', { headers: { 'x-api-key': key } })).status).toBe(401);
  });
});

describe('authentication and the database', () => {
  let database: DatabaseHandle;
  beforeAll(async () => {
    database = await openTestDatabase();
  });
  afterAll(async () => {
    await database.close();
  });

  it('reads nothing from the database for a request without a key in open mode', async () => {
    const counted = countingDb(database.db);
    const { app } = buildTestApp(
      { ...database, db: counted.db },
      { authMode: 'open', routes: [whoAmIRoutes()] },
    );
    for (let i = 0; i < 20; i++)
      expect(await tenantOf(await app.request('/v1/whoami'))).toBe('default');
    expect(counted.statements()).toBe(0);
  });

  it('reads the stored keys once for many requests with a key in keys mode', async () => {
    const { key } = await createApiKey(database.db, { tenant: 'busy' });
    const counted = countingDb(database.db);
    const { app } = buildTestApp(
      { ...database, db: counted.db },
      { authMode: 'keys', routes: [whoAmIRoutes()] },
    );
    const answers = await Promise.all(
      Array.from({ length: 20 }, () =>
        app.request('/v1/whoami', { headers: { 'x-api-key': key } }),
      ),
    );
    for (const answer of answers) expect(await tenantOf(answer)).toBe('busy');
    expect(counted.statements()).toBe(1);
  });

  it('lets a revoked key in no longer than a second after the revocation, on the real app and clock', async () => {
    const { key, apiKey } = await createApiKey(database.db, { tenant: 'leaving' });
    const { app } = buildTestApp(database, { authMode: 'keys', routes: [whoAmIRoutes()] });
    const call = () => app.request('/v1/whoami', { headers: { 'x-api-key': key } });
    expect(await tenantOf(await call())).toBe('leaving');
    await revokeApiKey(database.db, apiKey.id);
    const revokedAt = performance.now();
    // Every request arriving after the bound is refused; until then one may still be let in.
    let lastLetIn = revokedAt;
    while (performance.now() - revokedAt < STORED_KEYS_MAX_AGE_MS + 300) {
      const arrived = performance.now();
      if ((await call()).status === 200) lastLetIn = arrived;
    }
    expect(lastLetIn - revokedAt).toBeLessThanOrEqual(STORED_KEYS_MAX_AGE_MS);
    expect((await call()).status).toBe(401);
  });
});
