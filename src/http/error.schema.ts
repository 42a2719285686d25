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

/** An error response entry for `createRoute({ responses })`. */
export function errorResponse(description: string) {
  return { description, content: { 'application/json': { schema: ErrorResponseSchema } } };
}
