import { readFile, stat } from 'node:fs/promises';
import { extname, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { AppEnv } from './app-env.js';
import { createRouter } from './create-router.js';

/** The paths the dashboard serves without a key (its API calls are authenticated as usual). */
export const DASHBOARD_PUBLIC_PATHS = ['/', '/dashboard', '/dashboard/*'] as const;

/**
 * The page's content-security policy: everything from this server, nothing inline but images
 * as data: or blob: URLs (a chart drawn into an <img>).
 */
export const DASHBOARD_CSP = [
  "default-src 'self'",
  "img-src 'self' data: blob:",
  "style-src 'self'",
  "script-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
  "form-action 'self'",
].join('; ');

/** The media types served; a file of any other kind is not found. */
const MEDIA_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

// This file sits two folders below the package root both as src/http/*.ts (a checkout under
// tsx) and as dist/http/*.js (an installed package); the page build writes dist/dashboard/.
const DEFAULT_DIRECTORY = fileURLToPath(new URL('../../dist/dashboard/', import.meta.url));

export interface DashboardRoutesOptions {
  /** Where the built page is (default: the package's `dist/dashboard/`). */
  directory?: string | undefined;
}

const NOT_BUILT_PAGE = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>batchkeeper: dashboard not built</title></head>
<body>
<h1>The dashboard is not built</h1>
<p>Its files are made by <code>npm run build</code> (which <code>npm install</code> runs);
run it in the batchkeeper folder and reload this page. The HTTP API works meanwhile.</p>
</body>
</html>
`;

/**
 * `GET /` (the dashboard's page) and `GET /dashboard/*` (its files), from the built folder,
 * with a content-security policy; public. Without a build: a 503 page saying how to make one.
 */
export function dashboardRoutes(options: DashboardRoutesOptions = {}): OpenAPIHono<AppEnv> {
  const directory = resolve(options.directory ?? DEFAULT_DIRECTORY);
  const router = createRouter();
  router.get('/', (c) => serveFile(c, directory, 'index.html'));
  router.get('/dashboard', (c) => c.redirect('/', 308));
  router.get('/dashboard/*', (c) => {
    const relative = safeRelativePath(c.req.path.slice('/dashboard/'.length));
    if (relative === undefined) return notFoundFile(c);
    return serveFile(c, directory, relative === '' ? 'index.html' : relative);
  });
  return router;
}

/**
 * The decoded path below `/dashboard/`, or undefined when it could leave the folder or name
 * a hidden file: `..` and dot-files, backslashes, NUL, and undecodable escapes are refused.
 */
export function safeRelativePath(raw: string): string | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(raw);
  } catch {
    return undefined;
  }
  if (decoded.includes('\\') || decoded.includes('\0')) return undefined;
  const segments = decoded.split('/');
  if (segments.some((s, i) => s.startsWith('.') || (s === '' && i < segments.length - 1))) {
    return undefined;
  }
  return decoded;
}

async function serveFile(c: Context<AppEnv>, directory: string, relative: string) {
  const path = resolve(directory, relative);
  // Belt and braces after safeRelativePath: the file must be inside the folder.
  if (!path.startsWith(directory + sep)) return notFoundFile(c);
  const type = MEDIA_TYPES[extname(path).toLowerCase()];
  const found = await statFile(path);
  if (!found || !type) {
    if (!(await statFile(resolve(directory, 'index.html')))) return notBuilt(c);
    return notFoundFile(c);
  }
  const etag = `"${found.size.toString(16)}-${Math.floor(found.mtimeMs).toString(16)}"`;
  const headers = {
    ...securityHeaders(),
    'content-type': type,
    etag,
    // The build's names do not change with their content: revalidate every time (a 304 is cheap).
    'cache-control': 'no-cache',
  };
  if (c.req.header('if-none-match') === etag) return c.body(null, 304, headers);
  return c.body(new Uint8Array(await readFile(path)), 200, headers);
}

async function statFile(path: string) {
  try {
    const found = await stat(path);
    return found.isFile() ? found : undefined;
  } catch {
    return undefined;
  }
}

function notBuilt(c: Context<AppEnv>) {
  return c.body(NOT_BUILT_PAGE, 503, {
    ...securityHeaders(),
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
    'retry-after': '60',
  });
}

function notFoundFile(c: Context<AppEnv>) {
  return c.json(
    { error: { type: 'not_found_error', message: `no dashboard file at ${c.req.path}` } },
    404,
    { ...securityHeaders(), 'cache-control': 'no-store' },
  );
}

function securityHeaders(): Record<string, string> {
  return {
    'content-security-policy': DASHBOARD_CSP,
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'x-frame-options': 'DENY',
  };
}
