import { z } from '@hono/zod-openapi';
import { ESTIMATE_COUNT_LIMIT } from '../domain/job-estimate.js';

const usdOrNull = (description: string) =>
  z
    .number()
    .nullable()
    .openapi({ description: `${description}; null: a model has no price` });

/** What `POST /v1/jobs/estimate` answers (src/domain/job-estimate.ts `JobEstimate`). */
export const JobEstimateSchema = z
  .object({
    requests: z.number().int().openapi({
      description:
        'requests that would be sent (duplicates within the job and dropped ones left out)',
    }),
    countedRequests: z.number().int().openapi({
      description: "requests whose input tokens Anthropic's count_tokens counted",
    }),
    sampled: z.boolean().openapi({
      description: `more than ${ESTIMATE_COUNT_LIMIT} requests: ${ESTIMATE_COUNT_LIMIT} of them, evenly spread, were counted and the rest extrapolated`,
    }),
    inputTokens: z.number().int().openapi({ description: 'every prompt token, cached or not' }),
    inputTokensRange: z.object({ min: z.number().int(), max: z.number().int() }).openapi({
      description: 'exact (min = max) unless sampled; then the mean ± 3 standard errors',
    }),
    maxOutputTokens: z.number().int().openapi({ description: 'the sum of max_tokens' }),
    cachingRequests: z.number().int().openapi({
      description:
        'requests with a cache_control breakpoint (priced from cache read to cache write)',
    }),
    minUsd: usdOrNull(
      'the least the job can cost at batch prices (prompts at cache-read price where cached, no output)',
    ),
    maxUsd: usdOrNull(
      'the most it can cost (prompts at cache-write price where cached, every max_tokens used)',
    ),
    unpricedModels: z.array(z.string()).openapi({ description: 'models the price table lacks' }),
  })
  .openapi('JobEstimate');

export const JOB_ESTIMATE_EXAMPLE: z.input<typeof JobEstimateSchema> = {
  requests: 2,
  countedRequests: 2,
  sampled: false,
  inputTokens: 2410,
  inputTokensRange: { min: 2410, max: 2410 },
  maxOutputTokens: 2048,
  cachingRequests: 2,
  minUsd: 0.000121,
  maxUsd: 0.013253,
  unpricedModels: [],
};
