import { z } from '@hono/zod-openapi';
import { JOB_STATS_EXAMPLE } from './jobs.examples.js';
import { JobStatsSchema } from './jobs.schemas.js';

/** The most hours and days a series covers. */
export const SERIES_LIMITS = { maxHours: 24 * 31, maxDays: 366 } as const;

export const TenantStatsSchema = JobStatsSchema.extend({
  today: z
    .object({
      since: z
        .string()
        .openapi({ format: 'date-time', description: "today's start (UTC midnight)" }),
      inputTokens: z.number().int(),
      outputTokens: z.number().int(),
      costUsd: z.number(),
      errorsByType: z.record(z.string(), z.number().int()).openapi({
        description:
          "errored results recorded today by Anthropic's error type (retried attempts too)",
        example: { overloaded_error: 3, invalid_request_error: 1 },
      }),
    })
    .openapi({ description: 'since UTC midnight, from the events and results recorded today' }),
  webhookDeliveries: z
    .object({ pending: z.number().int(), dead: z.number().int() })
    .openapi({ description: "the tenant's webhook deliveries still to send, and given up on" }),
}).openapi('TenantStats');

export const TENANT_STATS_EXAMPLE: z.input<typeof TenantStatsSchema> = {
  ...JOB_STATS_EXAMPLE,
  today: {
    since: '2026-03-14T00:00:00.000Z',
    inputTokens: 48_210,
    outputTokens: 19_774,
    costUsd: 0.4412,
    errorsByType: { overloaded_error: 3, invalid_request_error: 1 },
  },
  webhookDeliveries: { pending: 2, dead: 1 },
};

const whole = (name: string, max: number, fallback: number) =>
  z
    .string()
    .regex(/^[0-9]{1,4}$/, { error: `${name} must be a whole number from 1 to ${max}` })
    .transform(Number)
    .refine((n) => n >= 1 && n <= max, { error: `${name} must be a whole number from 1 to ${max}` })
    .optional()
    .openapi({
      param: { name, in: 'query' },
      description: `(default: ${fallback}, at most ${max})`,
      example: String(fallback),
    });

export const StatsSeriesQuerySchema = z.object({
  hours: whole('hours', SERIES_LIMITS.maxHours, 48),
  days: whole('days', SERIES_LIMITS.maxDays, 14),
});

export const StatsSeriesSchema = z
  .object({
    hourly: z
      .array(
        z.object({
          hour: z.string().openapi({ format: 'date-time', description: "the hour's start (UTC)" }),
          created: z.number().int(),
          completed: z.number().int(),
        }),
      )
      .openapi({
        description: 'jobs created and completed per UTC hour, oldest first, the current hour last',
      }),
    daily: z
      .array(
        z.object({
          day: z.string().openapi({ format: 'date', description: 'the UTC day' }),
          inputTokens: z.number().int(),
          outputTokens: z.number().int(),
          costUsd: z.number(),
        }),
      )
      .openapi({
        description: 'tokens and cost of collected results per UTC day, oldest first, today last',
      }),
  })
  .openapi('StatsSeries');

export const STATS_SERIES_EXAMPLE: z.input<typeof StatsSeriesSchema> = {
  hourly: [
    { hour: '2026-03-14T08:00:00.000Z', created: 3, completed: 1 },
    { hour: '2026-03-14T09:00:00.000Z', created: 5, completed: 6 },
  ],
  daily: [
    { day: '2026-03-13', inputTokens: 120_443, outputTokens: 51_020, costUsd: 1.0761 },
    { day: '2026-03-14', inputTokens: 48_210, outputTokens: 19_774, costUsd: 0.4412 },
  ],
};
