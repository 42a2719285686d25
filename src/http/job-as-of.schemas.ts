import { z } from '@hono/zod-openapi';
import { errorResponse } from './error.schema.js';
import { JobDetailsSchema } from './jobs.schemas.js';

/** `?asOf=VERSION`: the job as it was right after that event of its log. */
export const AsOfQuerySchema = z.object({
  asOf: z
    .string()
    .regex(/^[0-9]{1,9}$/, { error: 'asOf must be an event version, a whole number from 1' })
    .transform(Number)
    .optional()
    .openapi({
      param: { name: 'asOf', in: 'query' },
      description:
        "a version of the job's log: the answer is the job as it was right after that event " +
        '(1 to the last version; otherwise 400)',
      example: '3',
    }),
});

export const AsOfMarkerSchema = z
  .object({
    version: z.number().int().openapi({ description: 'the event the view is as of' }),
    at: z.string().openapi({ format: 'date-time', description: 'when that event was recorded' }),
    requestDetails: z.literal('current').openapi({
      description:
        'per-request details (the recent errors) come from the request tables and are as of now',
    }),
  })
  .openapi('AsOf');

/** getJob's answer; with `asOf`, computed by folding the log up to that event, and marked so. */
export const JobDetailsAsOfSchema = JobDetailsSchema.extend({
  asOf: AsOfMarkerSchema.optional().openapi({ description: 'present when `?asOf` was given' }),
}).openapi('JobDetailsAsOf');

/** The 400 of an `asOf` below 1 or past the log's end. */
export const asOfOutOfRangeResponse = errorResponse('`asOf` is not a version of the job', {
  type: 'invalid_request_error',
  message:
    "invalid query parameters: asOf: asOf must be a version from 1 to 8 (the job's last event), not 9",
  issues: [
    { path: 'asOf', message: "asOf must be a version from 1 to 8 (the job's last event), not 9" },
  ],
});
