import type { NotFoundHandler } from 'hono';
import { PatternRouter } from 'hono/router/pattern-router';
import type { RouterRoute } from 'hono/types';
import type { AppEnv } from './app-env.js';
import type { ErrorResponse } from './error.schema.js';

/**
 * The app's `notFound`: 405 with an `Allow` header when the path exists only
 * for other methods, else 404; both as the usual JSON error.
 */
export function notFound(app: { routes: RouterRoute[] }): NotFoundHandler<AppEnv> {
  const allowedMethods = allowedMethodsOf(app);
  return function handleNotFound(c) {
    const { method, path } = c.req;
    const allowed = allowedMethods(path);
    // A route that exists for this method but found nothing (`c.notFound()`) is a plain 404.
    if (allowed.length > 0 && !allowed.includes(method)) {
      c.header('allow', allowed.join(', '));
      return c.json(
        {
          error: {
            type: 'invalid_request_error',
            message: `${method} is not allowed on ${path} (allowed: ${allowed.join(', ')})`,
          },
        } satisfies ErrorResponse,
        405,
      );
    }
    return c.json(
      { error: { type: 'not_found_error', message: `no route for ${method} ${path}` } },
      404,
    );
  };
}

/** Which methods some endpoint answers at a path; middleware (method `ALL`) does not count. */
function allowedMethodsOf(app: { routes: RouterRoute[] }): (path: string) => string[] {
  let router: PatternRouter<string> | undefined;
  let builtFrom = -1;
  return (path) => {
    // Built at the first miss, when every module is mounted; rebuilt if routes were added since.
    if (!router || builtFrom !== app.routes.length) {
      router = new PatternRouter<string>();
      for (const route of app.routes) {
        if (route.method !== 'ALL') router.add('ALL', route.path, route.method);
      }
      builtFrom = app.routes.length;
    }
    const methods = new Set(router.match('GET', path)[0].map(([method]) => method));
    if (methods.has('GET')) methods.add('HEAD');
    return [...methods].sort();
  };
}
