import { z } from '@hono/zod-openapi';
import type { CacheReport } from '../domain/cache-report.js';

const tokens = (description: string) => z.number().int().openapi({ description });

/** A job's (or a tenant's) prompt-cache use (src/domain/cache-report.ts `CacheReport`). */
export const CacheReportSchema = z
  .object({
    readTokens: tokens('prompt-cache reads: the sum of `usage.cache_read_input_tokens`'),
    writeTokens: z
      .object({
        fiveMinutes: tokens('prompt-cache writes with the 5-minute TTL'),
        oneHour: tokens('prompt-cache writes with the 1-hour TTL'),
      })
      .openapi({
        description:
          'the sum of `usage.cache_creation` by TTL (a result without it counts all of ' +
          '`cache_creation_input_tokens` as 5-minute writes)',
      }),
    hitRate: z
      .number()
      .nullable()
      .openapi({
        description:
          'readTokens / (readTokens + writeTokens.fiveMinutes + writeTokens.oneHour), 4 decimals; ' +
          'null when no result read or wrote the cache (no request asked for caching)',
      }),
    savedUsd: z
      .number()
      .nullable()
      .openapi({
        description:
          'what the cache saved: the cost of the same requests unprimed minus their cost. In a cold ' +
          "batch no request reads another's write, so every token read would have been written: " +
          'Σ over results of cache read tokens × (cache write price at the TTL the request asked ' +
          'for − cache read price) × the batch discount, priced per request and model. The TTL is ' +
          '1 hour when every `cache_control` of the request says `"ttl": "1h"`, else 5 minutes (a ' +
          'lower bound). 0 when nothing was read; null when unknown (a model without a price, or ' +
          'results read from the cache before the saving was kept). For a tenant, the known ' +
          'savings summed.',
      }),
  })
  .openapi('CacheReport');

/** The cache of JOB_EXAMPLE: 190 tokens read at $0.20 instead of written at $2.50 per million, half price. */
export const CACHE_REPORT_EXAMPLE: CacheReport = {
  readTokens: 190,
  writeTokens: { fiveMinutes: 120, oneHour: 0 },
  hitRate: 0.6129,
  savedUsd: 0.000219,
};
