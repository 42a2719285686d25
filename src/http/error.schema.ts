import { z } from '@hono/zod-openapi';

/** One failing field of a refused request. */
export const ValidationIssueSchema = z
  .object({
    path: z.string().openapi({ example: 'requests.0.custom_id' }),
    message: z.string(),
  })
  .openapi('ValidationIssue');

/** Every HTTP error's body; use it in a route's `responses` for each error status it may answer. */
export const ErrorResponseSchema = z
  .object({
    error: z.object({
      type: z.string().openapi({ example: 'invalid_request_error' }),
      message: z.string(),
      issues: z.array(ValidationIssueSchema).optional(),
    }),
  })
  .openapi('Error');

export type ErrorResponse = z.infer<typeof ErrorResponseSchema>;

/**
 * An error response entry for `createRoute({ responses })`, with an example of the body as the
 * route really answers it (the document's readers and its lint check both see it).
 * @example errorResponse('no such job', { type: 'not_found_error', message: 'job job_mx4n… not found' })
 */
export function errorResponse(description: string, example: ErrorResponse['error']) {
  return {
    description,
    content: {
      'application/json': { schema: ErrorResponseSchema, example: { error: example } },
    },
  };
}

/** The 401 every route that needs a key may answer (in `open` mode too, to a key that matches none). */
export const unauthorizedResponse = errorResponse(
  'no API key where one is required, or a key that matches none',
  { type: 'authentication_error', message: 'invalid API key' },
);
