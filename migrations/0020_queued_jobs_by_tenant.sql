-- The claim (src/store/jobs/job-leases.ts) reads each tenant's first few queued jobs, not the
-- whole queue: the tenants with queued jobs are found by skipping through this index, and each
-- one's queue is read in claim order from it. Partial: only queued jobs, so it stays as small
-- as the queue, however many jobs have ended.
create index jobs_queued_by_tenant on jobs (tenant, priority, created_at, id)
  where status = 'queued';
