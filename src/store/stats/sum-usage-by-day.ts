import { sql } from 'kysely';
import type { DbOrTrx } from '../schema/index.js';

/** Tokens and cost a tenant's collected batches recorded on one UTC day. */
export interface DailyUsageRow {
  /** `YYYY-MM-DD` (UTC). */
  day: string;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
}

/**
 * The usage of a tenant's `BatchResultsCollected` events recorded in [from, until), by UTC
 * day, days without any left out. Reads the `events_dashboard_series` partial index.
 */
export async function sumUsageByDay(
  db: DbOrTrx,
  tenant: string,
  from: Date,
  until: Date,
): Promise<DailyUsageRow[]> {
  const { rows } = await sql<{
    day: string;
    input_tokens: string;
    output_tokens: string;
    cost_usd: string;
  }>`
    select to_char(date_trunc('day', recorded_at at time zone 'UTC'), 'YYYY-MM-DD') as day,
           sum((data->'usage'->>'inputTokens')::bigint) as input_tokens,
           sum((data->'usage'->>'outputTokens')::bigint) as output_tokens,
           sum((data->'usage'->>'costUsd')::numeric) as cost_usd
    from events
    where metadata->>'tenant' = ${tenant}
      and type = 'BatchResultsCollected'
      and recorded_at >= ${from} and recorded_at < ${until}
    group by 1
    order by 1`.execute(db);
  return rows.map((r) => ({
    day: r.day,
    inputTokens: Number(r.input_tokens ?? 0),
    outputTokens: Number(r.output_tokens ?? 0),
    // Summed as numeric: no floating-point drift over many small costs.
    costUsd: Math.round(Number(r.cost_usd ?? 0) * 1e6) / 1e6,
  }));
}
