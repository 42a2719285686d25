import type { Hook } from '@hono/zod-openapi';
import type { ZodError } from 'zod';
import { ValidationError, type ValidationIssue } from '../domain/errors.js';
import type { AppEnv } from './app-env.js';

const TARGET_NAMES: Record<string, string> = {
  json: 'request body',
  form: 'form body',
  query: 'query parameters',
  param: 'path parameters',
  header: 'headers',
  cookie: 'cookies',
};

/**
 * The `defaultHook` of every router: a request that fails its zod schema is
 * refused whole with a 400 `invalid_request_error` listing each failing path.
 */
// biome-ignore lint/suspicious/noExplicitAny: the hook serves routes of every input and path type
export const validationHook: Hook<any, AppEnv, any, void> = (result) => {
  if (result.success) return;
  const issues = issuesOf(result.error, result.target === 'query' ? 'query parameter' : 'field');
  const where = TARGET_NAMES[result.target] ?? result.target;
  const first = issues[0];
  const summary = first ? `${first.path ? `${first.path}: ` : ''}${first.message}` : 'invalid';
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more)` : '';
  throw new ValidationError(`invalid ${where}: ${summary}${more}`, issues);
};

/**
 * Zod's issues as `{path, message}` with dotted paths (`requests.0.custom_id`); unknown keys
 * are one issue each, at their own path (`?colour=` is `colour: not a known query parameter`).
 */
export function issuesOf(error: ZodError, keyKind = 'field'): ValidationIssue[] {
  return error.issues.flatMap((issue) => {
    const path = issue.path.map(String);
    if (issue.code !== 'unrecognized_keys')
      return [{ path: path.join('.'), message: issue.message }];
    return issue.keys.map((key) => ({
      path: [...path, key].join('.'),
      message: `not a known ${keyKind}`,
    }));
  });
}
