import { z } from 'zod';

const textBlock = z.looseObject({ type: z.literal('text'), text: z.string() });
const contentBlock = z.looseObject({ type: z.string().min(1) });

const messageParam = z.looseObject({
  role: z.enum(['user', 'assistant']),
  content: z.union([z.string().min(1), z.array(contentBlock).min(1)]),
});

/**
 * The part of the Messages API's create parameters the simulator checks, as the
 * API would: a request that fails it comes back as an errored result.
 * Fields it does not know pass through untouched.
 */
export const messageParamsSchema = z.looseObject({
  model: z.string().min(1),
  max_tokens: z.number().int().min(1),
  messages: z.array(messageParam).min(1, 'at least one message is required'),
  system: z.union([z.string(), z.array(textBlock)]).optional(),
  stream: z
    .boolean()
    .refine((stream) => !stream, 'streaming is not supported in batches')
    .optional(),
  temperature: z.number().min(0).max(1).optional(),
  top_p: z.number().min(0).max(1).optional(),
  top_k: z.number().int().min(0).optional(),
  stop_sequences: z.array(z.string()).optional(),
  metadata: z.looseObject({ user_id: z.string().nullish() }).optional(),
});

export type MessageParams = z.infer<typeof messageParamsSchema>;

/** Checks one request's params; a string says what is wrong, in the API's words where known. */
export function checkMessageParams(params: unknown): MessageParams | string {
  const parsed = messageParamsSchema.safeParse(params);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const where = issue.path.length ? issue.path.join('.') : 'params';
  return issue.code === 'invalid_type' && issue.input === undefined
    ? `${where}: Field required`
    : `${where}: ${issue.message}`;
}
