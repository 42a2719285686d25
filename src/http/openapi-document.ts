import type { OpenAPIHono } from '@hono/zod-openapi';
import packageJson from '../../package.json' with { type: 'json' };
import type { AuthMode } from '../config.js';
import type { AppEnv } from './app-env.js';

/** Where the generated OpenAPI 3.1 document is served. */
export const OPENAPI_PATH = '/openapi.json';

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
    },
    // Either scheme will do (or none, on an open server); public routes say `security: []`.
    security: [
      { bearerAuth: [] },
      { apiKeyHeader: [] },
      ...(options.authMode === 'open' ? [{}] : []),
    ],
  });
}
