import { sql } from 'kysely';
import type { DbOrTrx } from '../schema/index.js';

/** A tenant's jobs created and completed in one UTC hour. */
export interface HourlyJobsRow {
  /** The hour's start, `YYYY-MM-DDTHH:00:00.000Z`. */
  hour: string;
  created: number;
  completed: number;
}

/**
 * Counts a tenant's `JobCreated` and `JobCompleted` events recorded in [from, until), by UTC
 * hour, hours without either left out (deleted jobs still count: the log keeps them). Reads
 * the `events_dashboard_series` partial index.
 */
export async function countJobsByHour(
  db: DbOrTrx,
  tenant: string,
  from: Date,
  until: Date,
): Promise<HourlyJobsRow[]> {
  const { rows } = await sql<{ hour: string; created: number; completed: number }>`
    select to_char(date_trunc('hour', recorded_at at time zone 'UTC'),
                   'YYYY-MM-DD"T"HH24:00:00.000"Z"') as hour,
           count(*) filter (where type = 'JobCreated')::int as created,
           count(*) filter (where type = 'JobCompleted')::int as completed
    from events
    where metadata->>'tenant' = ${tenant}
      and type in ('JobCreated', 'JobCompleted')
      and recorded_at >= ${from} and recorded_at < ${until}
    group by 1
    order by 1`.execute(db);
  return rows.map((r) => ({ hour: r.hour, created: r.created, completed: r.completed }));
}
