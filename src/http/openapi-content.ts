import type { z } from '@hono/zod-openapi';

/**
 * A JSON `content` entry for `createRoute({ request: { body } })` or `({ responses })`, with a
 * realistic example typed by the schema (so the compiler and the document's lint check it).
 */
export function jsonContent<S extends z.ZodType>(
  schema: S,
  description: string,
  example: z.input<S>,
) {
  return { description, content: { 'application/json': { schema, example } } };
}
