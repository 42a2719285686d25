import { z } from '@hono/zod-openapi';

const usd = (description: string) => z.number().openapi({ description });

/** A cost split as Anthropic bills it (src/domain/job-cost.ts `CostSplit`). */
export const CostSplitSchema = z
  .object({
    inputUsd: usd('uncached input tokens, at batch prices'),
    outputUsd: usd('output tokens, at batch prices'),
    cacheWrite5mUsd: usd('prompt-cache writes with the 5-minute TTL, at batch prices'),
    cacheWrite1hUsd: usd('prompt-cache writes with the 1-hour TTL, at batch prices'),
    cacheReadUsd: usd('prompt-cache reads, at batch prices'),
    webSearchUsd: usd('web searches, $10 per 1,000 (a per-use fee: no batch discount)'),
    totalUsd: usd('the sum of the six parts above: equals costUsd'),
    standardUsd: usd('what the same requests cost outside the Message Batches API'),
    savingUsd: usd('standardUsd - totalUsd'),
  })
  .openapi('CostSplit');

export const COST_SPLIT_EXAMPLE: z.input<typeof CostSplitSchema> = {
  inputUsd: 0.000048,
  outputUsd: 0.000305,
  cacheWrite5mUsd: 0.00015,
  cacheWrite1hUsd: 0,
  cacheReadUsd: 0.000019,
  webSearchUsd: 0,
  totalUsd: 0.000522,
  standardUsd: 0.001044,
  savingUsd: 0.000522,
};

/** Cache tokens by kind, beside inputTokens and outputTokens. */
export const CACHE_TOKEN_FIELDS = {
  cacheWrite5mTokens: z
    .number()
    .int()
    .openapi({ description: 'prompt-cache writes, 5-minute TTL' }),
  cacheWrite1hTokens: z.number().int().openapi({ description: 'prompt-cache writes, 1-hour TTL' }),
  cacheReadTokens: z.number().int().openapi({ description: 'prompt-cache reads' }),
};
