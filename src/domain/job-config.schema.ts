import { z } from 'zod';
import { ANTHROPIC_API_VERSIONS } from './anthropic-api/api-version.js';
import { canonicalJson, type JsonValue } from './canonical-json.js';
import { ValidationError } from './errors.js';
import { PrioritySchema } from './priority.js';
import { RequestItemSchema } from './request.schema.js';
import { refineStorableJson, refineStorableText } from './storable-json.js';
import { parseOrThrow } from './validation.js';
import { WEBHOOK_SECRET_BYTES, webhookSecretProblem } from './webhook-secret.js';

/** The most requests one job may hold: 1,000,000 (the manager splits them into batches). */
export const MAX_REQUESTS_PER_JOB = 1_000_000;

/** The largest a job's metadata may be as UTF-8 JSON: 65,536 bytes. */
export const MAX_METADATA_BYTES = 64 * 1024;

/** The most tags one job may carry: 50. */
export const MAX_TAGS_PER_JOB = 50;

/** A tag: 1 to 64 letters, digits, underscores, dots, colons or hyphens (`team:search`, `v1.2`). */
export const TAG_PATTERN = /^[\w.:-]{1,64}$/;

/** The longest timeout a job may ask for: 7 days. */
export const MAX_JOB_TIMEOUT_MS = 7 * 24 * 60 * 60 * 1000;

/** The longest callback URL accepted: 2,048 characters. */
export const MAX_CALLBACK_URL_LENGTH = 2048;

/** An Idempotency-Key: 1 to 255 printable ASCII characters. */
export const IDEMPOTENCY_KEY_PATTERN = /^[\x20-\x7e]{1,255}$/;

/** One tag (see TAG_PATTERN). */
export const TagSchema = z.string().regex(TAG_PATTERN, {
  error: 'a tag must be 1 to 64 letters, digits, underscores, dots, colons or hyphens',
});

const RequestsSchema = z
  .array(RequestItemSchema)
  .min(1, { error: 'a job needs at least one request' })
  // zod checks the length before it parses any item, so an oversized job costs nothing.
  .max(MAX_REQUESTS_PER_JOB, { error: `a job may hold at most ${MAX_REQUESTS_PER_JOB} requests` })
  .superRefine((requests, ctx) => {
    // One pass with a Map: a job may hold a million requests.
    const firstIndex = new Map<string, number>();
    requests.forEach(({ custom_id }, index) => {
      const first = firstIndex.get(custom_id);
      if (first === undefined) firstIndex.set(custom_id, index);
      else {
        ctx.addIssue({
          code: 'custom',
          path: [index, 'custom_id'],
          message: `duplicate custom_id "${custom_id}" (already used by requests.${first})`,
        });
      }
    });
  });

// Storable first (no NUL, lone surrogate or runaway nesting: Postgres cannot keep them), for
// the library's callers too; HTTP bodies were checked once already (json-body.middleware).
const MetadataSchema = z
  .record(z.string(), z.unknown())
  .superRefine(refineStorableJson)
  .transform((metadata, ctx) => {
    let json: string;
    try {
      json = canonicalJson(metadata);
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      // Re-split the dotted path: zod joins it again, so the reported path reads the same.
      for (const issue of error.issues) {
        ctx.addIssue({
          code: 'custom',
          path: issue.path === '' ? [] : issue.path.split('.'),
          message: issue.message,
        });
      }
      return z.NEVER;
    }
    const bytes = Buffer.byteLength(json, 'utf8');
    if (bytes > MAX_METADATA_BYTES) {
      ctx.addIssue({
        code: 'custom',
        message: `metadata is ${bytes} bytes as JSON; at most ${MAX_METADATA_BYTES} are allowed`,
      });
      return z.NEVER;
    }
    // The JSON form: what Postgres stores (jsonb keeps no key order and no undefined either).
    return JSON.parse(json) as Record<string, JsonValue>;
  });

/** A webhook secret in the Standard Webhooks form (see webhookSecretProblem). */
const WebhookSecretSchema = z.string().superRefine((secret, ctx) => {
  if (webhookSecretProblem(secret) === undefined) return;
  const { min, max } = WEBHOOK_SECRET_BYTES;
  ctx.addIssue({
    code: 'custom',
    message: `webhookSecret must be whsec_ followed by the padded base64 of ${min} to ${max} bytes`,
  });
});

/** A job's cap in USD: a positive number. */
export const MaxCostUsdSchema = z
  .number({ error: 'maxCostUsd must be a positive number (USD)' })
  .positive({ error: 'maxCostUsd must be a positive number (USD)' })
  .finite();

/**
 * What createJob accepts: `requests` and options, `deduplicate` (default: true). Unknown keys
 * are refused, so a misspelt option is not silently dropped.
 */
export const JobConfigSchema = z.strictObject({
  requests: RequestsSchema,
  priority: PrioritySchema.optional(),
  metadata: MetadataSchema.optional(),
  tags: z
    .array(TagSchema)
    .max(MAX_TAGS_PER_JOB, { error: `a job may carry at most ${MAX_TAGS_PER_JOB} tags` })
    .optional(),
  deduplicate: z.boolean().default(true),
  timeoutMs: z
    .int()
    .positive()
    .max(MAX_JOB_TIMEOUT_MS, { error: `timeoutMs may be at most ${MAX_JOB_TIMEOUT_MS} (7 days)` })
    .optional(),
  callbackUrl: z
    .url({ protocol: /^https?$/, error: 'callbackUrl must be an http or https URL' })
    .max(MAX_CALLBACK_URL_LENGTH)
    .superRefine(refineStorableText)
    .nullable()
    .optional(),
  webhookSecret: WebhookSecretSchema.nullable().optional(),
  idempotencyKey: z
    .string()
    .regex(IDEMPOTENCY_KEY_PATTERN, {
      error: 'idempotencyKey must be 1 to 255 printable ASCII characters',
    })
    .optional(),
  /** The `anthropic-version` to validate and send the job under (default: the manager's). */
  anthropicVersion: z
    .enum(ANTHROPIC_API_VERSIONS, {
      error: `anthropicVersion must be one of ${ANTHROPIC_API_VERSIONS.join(', ')}`,
    })
    .optional(),
  /** What to do with requests Anthropic would refuse: refuse the job (default) or drop them as errored. */
  onInvalid: z
    .enum(['refuse', 'drop'], { error: 'onInvalid must be "refuse" or "drop"' })
    .optional(),
  /** The most the job may be billed, USD at batch prices: sub-batches wait (paused, reason budget) rather than pass it. */
  maxCostUsd: MaxCostUsdSchema.optional(),
  /**
   * `auto`: each group of requests sharing a cached prefix has one request sent alone first, and
   * the rest once its batch ended, so they read the cache (one more batch turnaround); default off.
   */
  cachePriming: z
    .enum(['auto', 'off'], { error: 'cachePriming must be "auto" or "off"' })
    .optional(),
  /** What requests that do not fit maxCostUsd or the tenant's daily budget do: wait, paused (default), or end as budget_exceeded. */
  overBudget: z
    .enum(['pause', 'error'], { error: 'overBudget must be "pause" or "error"' })
    .optional(),
});
export type JobConfig = z.output<typeof JobConfigSchema>;
export type JobConfigInput = z.input<typeof JobConfigSchema>;

/**
 * Validates createJob input whole; throws a ValidationError whose issues carry dotted paths
 * (`requests.17.custom_id`). Duplicate custom_ids are reported once every request is well formed.
 */
export function parseJobConfig(input: unknown): JobConfig {
  return parseOrThrow(JobConfigSchema, input, 'invalid job');
}
