import { z } from '@hono/zod-openapi';
import { ValidationError } from '../domain/errors.js';
import {
  type JobConfigInput,
  MAX_REQUESTS_PER_JOB,
  TagSchema,
} from '../domain/job-config.schema.js';
import { type RequestItem, RequestItemSchema } from '../domain/request.schema.js';
import { findUnstorableJson, refineStorableText } from '../domain/storable-json.js';
import { formatIssuePath } from '../domain/validation.js';
import { readNdjsonLines } from './ndjson-body.js';

const BOOLEAN_WORDS = { true: true, false: false } as const;

/**
 * The options of an NDJSON upload, as query parameters (a JSON body carries them itself). Each is
 * checked again, with the requests, by createJob; these schemas only turn strings into values.
 */
export const NdjsonJobOptionsSchema = z.strictObject({
  priority: z
    .string()
    .superRefine(refineStorableText)
    .optional()
    .openapi({ description: 'CRITICAL..BACKGROUND or 1..5' }),
  tags: z
    .string()
    .transform((tags) => tags.split(',').map((tag) => tag.trim()))
    .pipe(z.array(TagSchema))
    .optional()
    .openapi({ description: 'comma-separated', example: 'nightly,team:search' }),
  deduplicate: z
    .enum(['true', 'false'], { error: 'deduplicate must be true or false' })
    .transform((word) => BOOLEAN_WORDS[word])
    .optional(),
  timeoutMs: z
    .string()
    .regex(/^\d{1,16}$/, { error: 'timeoutMs must be a whole number of milliseconds' })
    .transform(Number)
    .optional(),
  callbackUrl: z.string().superRefine(refineStorableText).optional(),
  webhookSecret: z
    .string()
    .superRefine(refineStorableText)
    .optional()
    .openapi({ description: '`whsec_...`; prefer a JSON body' }),
  metadata: z
    .string()
    .transform((text, ctx) => {
      let metadata: unknown;
      try {
        metadata = JSON.parse(text);
      } catch {
        ctx.addIssue({ code: 'custom', message: 'metadata must be a JSON object' });
        return z.NEVER;
      }
      const unstorable = findUnstorableJson(metadata);
      if (unstorable) {
        ctx.addIssue({ code: 'custom', path: unstorable.path, message: unstorable.message });
        return z.NEVER;
      }
      return metadata;
    })
    .optional()
    .openapi({ description: 'a JSON object, URL-encoded' }),
  anthropicVersion: z
    .string()
    .superRefine(refineStorableText)
    .optional()
    .openapi({ description: "`2023-06-01` or `2026-10-21` (default: the server's)" }),
  onInvalid: z
    .enum(['refuse', 'drop'], { error: 'onInvalid must be refuse or drop' })
    .optional()
    .openapi({
      description: 'refuse the job (default) or drop the requests Anthropic would refuse',
    }),
  maxCostUsd: z
    .string()
    .regex(/^\d{1,20}(\.\d{1,20})?([eE][+-]?\d{1,3})?$/, {
      error: 'maxCostUsd must be a positive number (USD)',
    })
    .transform(Number)
    .optional()
    .openapi({ description: 'the most the job may be billed, USD at batch prices', example: '25' }),
  overBudget: z
    .enum(['pause', 'error'], { error: 'overBudget must be "pause" or "error"' })
    .optional()
    .openapi({ description: 'what does not fit the budget does: wait paused (default) or end' }),
  cachePriming: z
    .enum(['auto', 'off'], { error: 'cachePriming must be "auto" or "off"' })
    .optional()
    .openapi({ description: 'prime each shared cached prefix first (default: off)' }),
});
export type NdjsonJobOptions = z.output<typeof NdjsonJobOptionsSchema>;

/**
 * Reads a job from an NDJSON body (one `{custom_id, params}` a line) streamed line by line, each
 * line checked as it comes, so a bad one is refused naming its line number before the rest is
 * read. Returns createJob's config with the query's options.
 */
export async function readNdjsonJob(
  body: ReadableStream<Uint8Array> | null,
  options: NdjsonJobOptions,
  limits: { maxBytes: number; maxLineBytes?: number | undefined },
): Promise<JobConfigInput> {
  const requests: RequestItem[] = [];
  const lineOfCustomId = new Map<string, number>();
  for await (const { lineNumber, value } of readNdjsonLines(body, limits)) {
    const parsed = RequestItemSchema.safeParse(value);
    if (!parsed.success) throw invalidLine(lineNumber, parsed.error);
    const request = parsed.data;
    const firstLine = lineOfCustomId.get(request.custom_id);
    if (firstLine !== undefined) {
      const message = `duplicate custom_id "${request.custom_id}" (already on line ${firstLine})`;
      throw new ValidationError(`invalid request on line ${lineNumber}: ${message}`, [
        { path: `line ${lineNumber}.custom_id`, message },
      ]);
    }
    lineOfCustomId.set(request.custom_id, lineNumber);
    if (requests.length >= MAX_REQUESTS_PER_JOB) {
      throw new ValidationError(`a job may hold at most ${MAX_REQUESTS_PER_JOB} requests`);
    }
    requests.push(request);
  }
  if (requests.length === 0) {
    throw new ValidationError('the body holds no requests: send one {custom_id, params} a line');
  }
  return { ...options, requests } as JobConfigInput;
}

/** A ValidationError naming the line, its issues' paths under `line N` (`line 3.params.model`). */
function invalidLine(lineNumber: number, error: z.ZodError): ValidationError {
  const issues = error.issues.map((issue) => ({
    path: formatIssuePath(issue.path),
    message: issue.message,
  }));
  const first = issues[0]!;
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more)` : '';
  return new ValidationError(
    `invalid request on line ${lineNumber}: ${first.path ? `${first.path}: ` : ''}${first.message}${more}`,
    issues.map(({ path, message }) => ({
      path: path ? `line ${lineNumber}.${path}` : `line ${lineNumber}`,
      message,
    })),
  );
}
