import type { DbOrTrx } from '../store/schema/index.js';
import { countErrorsByType } from '../store/stats/count-errors-by-type.js';
import { countJobsByHour, type HourlyJobsRow } from '../store/stats/count-jobs-by-hour.js';
import { countOpenDeliveries } from '../store/stats/count-open-deliveries.js';
import { type DailyUsageRow, sumUsageByDay } from '../store/stats/sum-usage-by-day.js';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/** The dashboard's charts: every hour and day of the window, oldest first, empty ones as zero. */
export interface StatsSeries {
  hourly: HourlyJobsRow[];
  daily: DailyUsageRow[];
}

/** What `GET /v1/stats` adds to the totals: today's usage and errors, the webhook backlog. */
export interface TodayStats {
  today: {
    since: string;
    inputTokens: number;
    outputTokens: number;
    costUsd: number;
    errorsByType: Record<string, number>;
  };
  webhookDeliveries: { pending: number; dead: number };
}

/** The start of `now`'s UTC hour, `hoursBack` hours earlier. */
export function hourStart(now: Date, hoursBack = 0): Date {
  return new Date(Math.floor(now.getTime() / HOUR_MS) * HOUR_MS - hoursBack * HOUR_MS);
}

/** The start of `now`'s UTC day, `daysBack` days earlier. */
export function dayStart(now: Date, daysBack = 0): Date {
  return new Date(Math.floor(now.getTime() / DAY_MS) * DAY_MS - daysBack * DAY_MS);
}

/**
 * The last `hours` UTC hours and `days` UTC days up to `now` (the current ones included, up to
 * `now` only), from the tenant's events.
 */
export async function readStatsSeries(
  db: DbOrTrx,
  tenant: string,
  now: Date,
  window: { hours: number; days: number },
): Promise<StatsSeries> {
  const until = new Date(now.getTime() + 1);
  const [hours, days] = await Promise.all([
    countJobsByHour(db, tenant, hourStart(now, window.hours - 1), until),
    sumUsageByDay(db, tenant, dayStart(now, window.days - 1), until),
  ]);
  const byHour = new Map(hours.map((h) => [h.hour, h]));
  const byDay = new Map(days.map((d) => [d.day, d]));
  const hourly: HourlyJobsRow[] = [];
  for (let back = window.hours - 1; back >= 0; back -= 1) {
    const hour = hourStart(now, back).toISOString();
    hourly.push(byHour.get(hour) ?? { hour, created: 0, completed: 0 });
  }
  const daily: DailyUsageRow[] = [];
  for (let back = window.days - 1; back >= 0; back -= 1) {
    const day = dayStart(now, back).toISOString().slice(0, 10);
    daily.push(byDay.get(day) ?? { day, inputTokens: 0, outputTokens: 0, costUsd: 0 });
  }
  return { hourly, daily };
}

/** Today's usage and errors (since UTC midnight, up to `now`) and the webhook backlog. */
export async function readTodayStats(db: DbOrTrx, tenant: string, now: Date): Promise<TodayStats> {
  const since = dayStart(now);
  const [usage, errorsByType, webhookDeliveries] = await Promise.all([
    sumUsageByDay(db, tenant, since, new Date(now.getTime() + 1)),
    countErrorsByType(db, tenant, since),
    countOpenDeliveries(db, tenant),
  ]);
  const day = usage[0];
  return {
    today: {
      since: since.toISOString(),
      inputTokens: day?.inputTokens ?? 0,
      outputTokens: day?.outputTokens ?? 0,
      costUsd: day?.costUsd ?? 0,
      errorsByType,
    },
    webhookDeliveries,
  };
}
