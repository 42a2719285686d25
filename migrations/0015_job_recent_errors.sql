-- A job's latest errored results, newest first (GET /v1/jobs/:id's `errors`, findJobDetails).
-- Without it the read walks request_results_errored_by_time (every job's errors, newest first)
-- and skips the other jobs' newer errors one by one: on a 100k-result job whose errors are a day
-- older than 90k errors of other jobs, 267 ms; with it, the job's first 20 in index order,
-- 0.3 ms. Partial (errored only), so a succeeded result costs nothing more to write. Built
-- inside the migration's transaction (no CONCURRENTLY there): on a large table this holds
-- writes to request_results while it builds.
create index request_results_job_errors
  on request_results (job_id, recorded_at desc, ordinal)
  where result_type = 'errored';
