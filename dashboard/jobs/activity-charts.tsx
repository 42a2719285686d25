import { useMemo } from 'preact/hooks';
import { getJson } from '../api/api-client.js';
import type { StatsSeries } from '../api/types.js';
import { formatCount, formatTokens, formatUsd } from '../format.js';
import { ErrorLine } from '../ui/error-line.js';
import { TimeSeries } from '../ui/time-series.js';
import { usePolled } from '../ui/use-polled.js';

const seconds = (iso: string) => Math.floor(Date.parse(iso) / 1000);

/** Jobs created/completed per hour and tokens and cost per day, from `/v1/stats/series`. */
export function ActivityCharts() {
  const series = usePolled(
    (signal) => getJson<StatsSeries>('/v1/stats/series?hours=48&days=14', signal),
    'series',
    60_000,
  );
  const hourly = useMemo(() => {
    const rows = series.data?.hourly ?? [];
    return {
      times: rows.map((r) => seconds(r.hour)),
      series: [
        {
          label: 'created',
          values: rows.map((r) => r.created),
          colorVar: '--chart-1',
          format: formatCount,
        },
        {
          label: 'completed',
          values: rows.map((r) => r.completed),
          colorVar: '--chart-2',
          format: formatCount,
        },
      ],
    };
  }, [series.data]);
  const daily = useMemo(() => {
    const rows = series.data?.daily ?? [];
    return {
      times: rows.map((r) => seconds(r.day)),
      tokens: [
        {
          label: 'input tokens',
          values: rows.map((r) => r.inputTokens),
          colorVar: '--chart-1',
          format: formatTokens,
        },
        {
          label: 'output tokens',
          values: rows.map((r) => r.outputTokens),
          colorVar: '--chart-2',
          format: formatTokens,
        },
      ],
      cost: [
        {
          label: 'cost',
          values: rows.map((r) => r.costUsd),
          colorVar: '--chart-3',
          format: formatUsd,
        },
      ],
    };
  }, [series.data]);

  return (
    <section class="activity" aria-label="Activity">
      <TimeSeries title="Jobs per hour (48 h)" times={hourly.times} series={hourly.series} />
      <TimeSeries title="Tokens per day (14 d)" times={daily.times} series={daily.tokens} />
      <TimeSeries title="Cost per day (14 d)" times={daily.times} series={daily.cost} />
      <ErrorLine message={series.error} />
    </section>
  );
}
