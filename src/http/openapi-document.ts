import type { OpenAPIHono } from '@hono/zod-openapi';
import packageJson from '../../package.json' with { type: 'json' };
import type { AuthMode } from '../config.js';
import type { AppEnv } from './app-env.js';
import { JOBS_TAG } from './jobs.schemas.js';
import { WEBHOOKS_TAG } from './webhooks.schemas.js';

/** Where the generated OpenAPI 3.1 document is served. */
export const OPENAPI_PATH = '/openapi.json';

/** Every tag an operation may carry, with what it groups; a module with a new tag adds it here. */
export const OPENAPI_TAGS = [
  {
    name: JOBS_TAG,
    description:
      'Jobs: a set of Message Batches API requests batchkeeper submits, follows, retries and ' +
      'collects for you; their results, events, live stream and statistics.',
  },
  {
    name: WEBHOOKS_TAG,
    description:
      'Webhook subscriptions to job events (Standard Webhooks signatures) and the delivery log.',
  },
];

/**
 * Serves the OpenAPI 3.1 document generated from the zod schemas of every
 * route mounted on `app` (at request time, so modules mounted later count),
 * and declares the two ways to send an API key: required in `keys` mode, and
 * optional (an empty requirement) in `open` mode (default: `keys`).
 */
export function serveOpenApiDocument(
  app: OpenAPIHono<AppEnv>,
  options: { authMode?: AuthMode } = {},
): void {
  app.openAPIRegistry.registerComponent('securitySchemes', 'bearerAuth', {
    type: 'http',
    scheme: 'bearer',
    description: 'An API key: `Authorization: Bearer <key>`',
  });
  app.openAPIRegistry.registerComponent('securitySchemes', 'apiKeyHeader', {
    type: 'apiKey',
    in: 'header',
    name: 'x-api-key',
    description: 'The same API key in an `x-api-key` header',
  });
  app.doc31(OPENAPI_PATH, {
    openapi: '3.1.0',
    info: {
      title: 'batchkeeper',
      version: packageJson.version,
      description: packageJson.description,
      license: {
        name: packageJson.license,
        url: `https://spdx.org/licenses/${packageJson.license}.html`,
      },
    },
    // Relative to where the document is served, so it also holds behind a proxy that mounts
    // batchkeeper under a prefix (`https://host/batches/openapi.json` -> `https://host/batches`).
    servers: [{ url: '.', description: 'the server that serves this document' }],
    tags: OPENAPI_TAGS,
    // Either scheme will do (or none, on an open server); public routes say `security: []`.
    security: [
      { bearerAuth: [] },
      { apiKeyHeader: [] },
      ...(options.authMode === 'open' ? [{}] : []),
    ],
  });
}
