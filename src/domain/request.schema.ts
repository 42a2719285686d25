import { z } from 'zod';
import { refineStorableJson } from './storable-json.js';

/** What Anthropic allows as a request's custom_id: 1 to 64 letters, digits, underscores or hyphens. */
export const CUSTOM_ID_PATTERN = /^[a-zA-Z0-9_-]{1,64}$/;

/** A content block (`text`, `image`, `tool_result`, ...): any object with a string `type`, kept whole. */
const ContentBlockSchema = z.looseObject({ type: z.string().min(1) });

/**
 * One message. `system` is a mid-conversation system message: which models take it and where
 * it may stand are rules of the API (REQUEST_RULES in anthropic-api/request-rules.ts), not shape.
 */
const MessageSchema = z.looseObject({
  role: z.enum(['user', 'assistant', 'system'], {
    error: 'role must be user, assistant or system',
  }),
  content: z.union([z.string().min(1), z.array(ContentBlockSchema).min(1)], {
    error: 'content must be a non-empty string or a non-empty array of content blocks',
  }),
});

const TextBlockSchema = z.looseObject({ type: z.literal('text'), text: z.string() });

/**
 * The params of one request: a non-streaming Anthropic Messages request. The fields we rely on
 * are checked; every other field is kept as given (Anthropic adds fields, and judges them itself).
 */
export const MessageParamsSchema = z.looseObject({
  model: z.string().min(1),
  max_tokens: z.int().min(1),
  messages: z.array(MessageSchema).min(1),
  stream: z
    .literal(false, {
      error: 'stream must be false or absent: a Message Batch request cannot stream',
    })
    .optional(),
  system: z
    .union([z.string(), z.array(TextBlockSchema)], {
      error: 'system must be a string or an array of text blocks',
    })
    .optional(),
  temperature: z.number().min(0).max(1).optional(),
  top_p: z.number().min(0).max(1).optional(),
  top_k: z.int().min(0).optional(),
  stop_sequences: z.array(z.string()).optional(),
  metadata: z.looseObject({ user_id: z.string().nullish() }).optional(),
  tools: z.array(z.looseObject({})).optional(),
  tool_choice: z.looseObject({ type: z.string().min(1) }).optional(),
  thinking: z.looseObject({ type: z.string().min(1) }).optional(),
});
export type MessageParams = z.output<typeof MessageParamsSchema>;

/**
 * One request of a job, exactly Anthropic's batch item: `{custom_id, params}`. Its params must be
 * storable as jsonb: no NUL or lone surrogate in any text or key, at most MAX_JSON_DEPTH deep.
 */
export const RequestItemSchema = z.strictObject({
  custom_id: z.string().regex(CUSTOM_ID_PATTERN, {
    error: 'custom_id must be 1 to 64 letters, digits, underscores or hyphens',
  }),
  params: MessageParamsSchema.superRefine(refineStorableJson),
});
export type RequestItem = z.output<typeof RequestItemSchema>;
