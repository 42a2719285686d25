import type { z } from 'zod';
import { ValidationError, type ValidationIssue } from './errors.js';

/** How many issues a ValidationError carries at most: 100; its message counts the rest. */
export const MAX_REPORTED_ISSUES = 100;

/** Formats a zod issue path as the dotted path our errors carry (`requests.17.custom_id`; `''` for the root). */
export function formatIssuePath(path: readonly PropertyKey[]): string {
  return path.map((segment) => String(segment)).join('.');
}

/**
 * Turns a ZodError into a ValidationError whose message leads with `message` and the first
 * issue, and whose `issues` carry each problem's dotted path (at most MAX_REPORTED_ISSUES).
 * @example zodIssuesToValidationError(error, 'invalid job') // "invalid job: requests.3.custom_id: ..."
 */
export function zodIssuesToValidationError(error: z.ZodError, message: string): ValidationError {
  const issues: ValidationIssue[] = error.issues
    .slice(0, MAX_REPORTED_ISSUES)
    .map((issue) => ({ path: formatIssuePath(issue.path), message: issue.message }));
  return new ValidationError(describe(message, issues, error.issues.length), issues);
}

/** Parses `input` with `schema`, or throws the ValidationError zodIssuesToValidationError makes. */
export function parseOrThrow<S extends z.ZodType>(
  schema: S,
  input: unknown,
  message: string,
): z.output<S> {
  const result = schema.safeParse(input);
  if (!result.success) throw zodIssuesToValidationError(result.error, message);
  return result.data;
}

function describe(message: string, issues: readonly ValidationIssue[], total: number): string {
  const first = issues[0];
  if (first === undefined) return message;
  const where = first.path === '' ? '' : `${first.path}: `;
  const more = total > 1 ? ` (and ${total - 1} more ${total === 2 ? 'issue' : 'issues'})` : '';
  return `${message}: ${where}${first.message}${more}`;
}
