import { z } from 'zod';
import { ValidationError } from './errors.js';
import { TagSchema } from './job-config.schema.js';
import { PrioritySchema } from './priority.js';
import { parseOrThrow } from './validation.js';

/** The outcomes a retry may send again: every one but success. */
export const RETRYABLE_RESULT_TYPES = ['errored', 'expired', 'canceled'] as const;
export type RetryableResultType = (typeof RETRYABLE_RESULT_TYPES)[number];

/** Which requests of the ended job to send again; every criterion given must hold. */
export const RetryFilterSchema = z.strictObject({
  /** Outcomes to send again (default: errored, expired and canceled). */
  resultTypes: z
    .array(
      z.enum(RETRYABLE_RESULT_TYPES, {
        error: `resultTypes must be some of ${RETRYABLE_RESULT_TYPES.join(', ')}`,
      }),
    )
    .min(1, { error: 'resultTypes must name at least one type' })
    .optional(),
  /** Only errored requests whose error has one of these types (e.g. `invalid_request_error`). */
  errorTypes: z.array(z.string().min(1).max(200)).min(1).max(100).optional(),
  /** Only these requests. */
  customIds: z.array(z.string().min(1).max(64)).min(1).max(1_000_000).optional(),
});
export type RetryFilter = z.output<typeof RetryFilterSchema>;

/** The body of POST /v1/jobs/:id/retry (and `retryJob`'s options). */
export const RetryOptionsSchema = z.strictObject({
  /**
   * The contract's flat form (API.md): `types` (the outcomes), `errorTypes`, `customIds`,
   * read as `filter`; giving both forms is refused.
   */
  types: RetryFilterSchema.shape.resultTypes,
  errorTypes: RetryFilterSchema.shape.errorTypes,
  customIds: RetryFilterSchema.shape.customIds,
  filter: RetryFilterSchema.optional(),
  /** A JSON merge patch (RFC 7386) applied to each selected request's params. */
  overrides: z.record(z.string(), z.unknown()).optional(),
  priority: PrioritySchema.optional(),
  tags: z.array(TagSchema).max(50).optional(),
  /** Checked as createJob checks it (size, storable JSON). */
  metadata: z.record(z.string(), z.unknown()).optional(),
  callbackUrl: z.string().nullable().optional(),
});

type RetryBody = z.output<typeof RetryOptionsSchema>;
/** Retry options as the handler uses them: the flat form read as `filter`. */
export type RetryOptions = Omit<RetryBody, 'types' | 'errorTypes' | 'customIds' | 'filter'> & {
  filter: RetryFilter;
};
export type RetryOptionsInput = z.input<typeof RetryOptionsSchema>;

/** Validates retry options whole; a ValidationError names each bad field. */
export function parseRetryOptions(input: unknown): RetryOptions {
  const { types, errorTypes, customIds, filter, ...rest } = parseOrThrow(
    RetryOptionsSchema,
    input ?? {},
    'invalid retry',
  );
  if (filter && (types ?? errorTypes ?? customIds) !== undefined) {
    throw new ValidationError('invalid retry', [
      {
        path: 'filter',
        message:
          'give the requests to retry either as types/errorTypes/customIds or as filter, not both',
      },
    ]);
  }
  return {
    ...rest,
    filter: filter ?? {
      ...(types && { resultTypes: types }),
      ...(errorTypes && { errorTypes }),
      ...(customIds && { customIds }),
    },
  };
}
