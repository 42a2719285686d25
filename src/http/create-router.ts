import { OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from './app-env.js';
import { validationHook } from './validation-hook.js';

/**
 * A router for one resource module, answering schema failures the app's way
 * (400 `invalid_request_error` with the failing paths) even before it is mounted.
 */
export function createRouter(): OpenAPIHono<AppEnv> {
  return new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
}
