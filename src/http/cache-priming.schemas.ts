import { z } from '@hono/zod-openapi';

/** A job's `cachePriming` in its view: present only for a job created with `cachePriming: "auto"`. */
export const CachePrimingViewSchema = z
  .object({
    mode: z.literal('auto'),
    extraTurnaround: z.literal(true).openapi({
      description:
        "priming costs one more batch turnaround: each group's priming request is sent alone " +
        'and the rest of the group waits for its batch to end',
    }),
    groups: z.number().int().openapi({ description: 'groups (distinct cached prefixes) primed' }),
    primed: z
      .number()
      .int()
      .openapi({ description: 'groups whose latest priming request succeeded' }),
    primeBatches: z.number().int().openapi({
      description: 'one-request priming batches sent, re-primes of lapsed entries included',
    }),
    heldBack: z
      .number()
      .int()
      .openapi({ description: 'requests waiting for a priming batch still on its way' }),
  })
  .openapi('JobCachePriming', {
    description:
      'cache priming (cachePriming: "auto"): absent when off. Requests sharing a prefix marked ' +
      'with cache_control are grouped; one request per group is sent first, the rest read the cache',
  });
