-- Payload purge (docs/audit.md, "Purge"): when the retention loop of serve purged an ended
-- job's request bodies and result payloads. Nullable, no default: adding it rewrites nothing.
alter table jobs add column payloads_purged_at timestamptz;

-- The retention loop looks for ended jobs not purged yet, oldest first.
create index jobs_payloads_to_purge on jobs (completed_at)
  where payloads_purged_at is null and completed_at is not null;

-- A purge keeps what other jobs' duplicates reuse (purge-request-bodies.ts): found by the
-- original they point at. Partial: only duplicates have one.
create index job_requests_original on job_requests (original_job_id, original_ordinal)
  where original_job_id is not null;
