-- The dashboard's numbers, read by tenant and time (GET /v1/stats, GET /v1/stats/series).
-- Partial indexes: only the three event types the series read, and only errored results, so
-- the cost on every other write is nil. Built inside the migration's transaction (no
-- CONCURRENTLY there): on a large log this holds writes to these tables while it builds.

-- Jobs created and completed per hour, tokens and cost per day: a tenant's events of these
-- types in a time range (the tenant is in the metadata).
create index events_dashboard_series
  on events ((metadata->>'tenant'), type, recorded_at)
  where type in ('JobCreated', 'JobCompleted', 'BatchResultsCollected');

-- Today's errored results by error type.
create index request_results_errored_by_time
  on request_results (recorded_at)
  where result_type = 'errored';
