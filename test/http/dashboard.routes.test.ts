import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/http/app.js';
import { DASHBOARD_CSP, safeRelativePath } from '../../src/http/dashboard.routes.js';
import { createLogger } from '../../src/observability/logger.js';
import type { DatabaseHandle } from '../../src/store/create-database.js';
import { openTestDatabase } from '../support/database.js';
import { LogCapture } from './test-app.js';

const KEY = { tenant: 'acme', key: 'acme-key-0123456789' };
const INDEX =
  '<!doctype html><title>batchkeeper</title><script type="module" src="/dashboard/app.js"></script>';

let database: DatabaseHandle;
let folder: string;

/** The real app, keys on, its dashboard served from `directory`. */
function appServing(directory: string) {
  return createApp({
    db: database.db,
    logger: createLogger({ level: 'silent', destination: new LogCapture().stream }),
    config: { apiKeys: [KEY], http: { maxJsonBodyBytes: 1024 * 1024 } },
    authMode: 'keys',
    dashboard: { directory },
  });
}

beforeAll(async () => {
  database = await openTestDatabase();
  folder = await mkdtemp(join(tmpdir(), 'batchkeeper-dashboard-'));
  await mkdir(join(folder, 'dist'));
  await writeFile(join(folder, 'dist', 'index.html'), INDEX);
  await writeFile(join(folder, 'dist', 'app.js'), 'console.log("dashboard");\n');
  await writeFile(join(folder, 'dist', 'app.css'), 'body{margin:0}\n');
  await writeFile(join(folder, 'dist', '.env'), 'SECRET=1\n');
  await writeFile(join(folder, 'secret.txt'), 'outside the build\n');
});

afterAll(async () => {
  await rm(folder, { recursive: true, force: true });
  await database.close();
});

describe('the dashboard, served at /', () => {
  it('serves the page without a key, under a content-security policy of self only', async () => {
    const response = await appServing(join(folder, 'dist')).request('/');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(await response.text()).toBe(INDEX);
    const csp = response.headers.get('content-security-policy')!;
    expect(csp).toBe(DASHBOARD_CSP);
    expect(csp.split('; ')).toContain("default-src 'self'");
    expect(csp.split('; ')).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('cache-control')).toBe('no-cache');
  });

  it('serves its script and stylesheet with their types, and answers 304 to a known ETag', async () => {
    const app = appServing(join(folder, 'dist'));
    const script = await app.request('/dashboard/app.js');
    expect(script.status).toBe(200);
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(script.headers.get('content-security-policy')).toBe(DASHBOARD_CSP);
    const etag = script.headers.get('etag')!;
    const again = await app.request('/dashboard/app.js', { headers: { 'if-none-match': etag } });
    expect(again.status).toBe(304);
    const style = await app.request('/dashboard/app.css');
    expect([style.status, style.headers.get('content-type')]).toEqual([
      200,
      'text/css; charset=utf-8',
    ]);
  });

  it('keeps the API behind a key while the page is public', async () => {
    const app = appServing(join(folder, 'dist'));
    expect((await app.request('/v1/stats')).status).toBe(401);
    expect((await app.request('/')).status).toBe(200);
  });

  it.each([
    '/dashboard/../secret.txt',
    '/dashboard/..%2fsecret.txt',
    '/dashboard/%2e%2e/secret.txt',
    '/dashboard/%2e%2e%2fsecret.txt',
    '/dashboard/..%5csecret.txt',
    '/dashboard/.env',
    '/dashboard/%2eenv',
    '/dashboard//etc/passwd',
    '/dashboard/%00app.js',
    '/dashboard/%E0%A4%A',
  ])('refuses %s, which would leave the build folder or show a hidden file', async (path) => {
    // A URL's own `..` is resolved before routing (to a path the key guards); the rest are ours.
    const response = await appServing(join(folder, 'dist')).request(path);
    expect([401, 404]).toContain(response.status);
    expect(await response.text()).not.toMatch(/outside the build|SECRET/);
  });

  it('reads a path below /dashboard/ only as a plain relative file name', () => {
    expect(safeRelativePath('assets/app.js')).toBe('assets/app.js');
    expect(safeRelativePath('a/../../b')).toBeUndefined();
    expect(safeRelativePath('%2e%2e/b')).toBeUndefined();
  });

  it('answers a 503 page saying to run npm run build when there is no build', async () => {
    const app = appServing(join(folder, 'no-such-build'));
    for (const path of ['/', '/dashboard/app.js']) {
      const response = await app.request(path);
      expect(response.status).toBe(503);
      expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(response.headers.get('content-security-policy')).toBe(DASHBOARD_CSP);
      expect(await response.text()).toContain('npm run build');
    }
  });

  it('answers 404 for a file the build does not have', async () => {
    const response = await appServing(join(folder, 'dist')).request('/dashboard/missing.js');
    expect(response.status).toBe(404);
  });
});
