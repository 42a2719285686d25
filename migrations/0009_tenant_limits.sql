-- Per-tenant limits that override the instance-wide defaults (BATCHKEEPER_TENANT_*): a null
-- column means the default. Set with `batchkeeper tenants limits`.
create table tenant_limits (
  tenant text primary key,
  max_queue_size integer check (max_queue_size >= 0),
  max_concurrent_jobs integer check (max_concurrent_jobs >= 0),
  max_requests_in_flight integer check (max_requests_in_flight >= 0),
  updated_at timestamptz not null default now()
);

