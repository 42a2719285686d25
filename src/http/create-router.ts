import { OpenAPIHono, type RouteConfig, z } from '@hono/zod-openapi';
import type { AppEnv } from './app-env.js';
import { validationHook } from './validation-hook.js';

/**
 * A router for one resource module, answering schema failures the app's way
 * (400 `invalid_request_error` with the failing paths) even before it is mounted.
 * Its `/v1/...` routes refuse query parameters they do not declare (a route that
 * declares none takes none), so a misspelt filter is never silently ignored.
 */
export function createRouter(): OpenAPIHono<AppEnv> {
  const router = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
  const declare = router.openapi as (route: RouteConfig, ...rest: unknown[]) => unknown;
  router.openapi = ((route: RouteConfig, ...rest: unknown[]) =>
    declare(withOnlyDeclaredQuery(route), ...rest)) as typeof router.openapi;
  return router;
}

/** The route with its query schema strict: unknown parameters are a 400 naming them. */
function withOnlyDeclaredQuery(route: RouteConfig): RouteConfig {
  if (!route.path.startsWith('/v1/')) return route;
  const query = route.request?.query;
  if (query !== undefined && !(query instanceof z.ZodObject)) return route;
  return { ...route, request: { ...route.request, query: (query ?? z.object({})).strict() } };
}
