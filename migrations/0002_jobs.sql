-- Read model: one row per job that has not been deleted. A pure function of
-- the event log (projections rebuild replays it into the same rows).
create table jobs (
  id text primary key,
  tenant text not null,
  status text not null,
  step text,
  priority smallint not null,
  tags text[] not null default '{}',
  metadata jsonb not null default '{}',
  deduplicate boolean not null,
  callback_url text,
  idempotency_key text,
  total_requests integer not null,
  unique_requests integer not null,
  deduplicated_requests integer not null,
  completed integer not null default 0,
  failed integer not null default 0,
  cancelled integer not null default 0,
  expired integer not null default 0,
  in_flight integer not null default 0,
  percent_complete numeric not null default 0,
  retry_count integer not null default 0,
  input_tokens bigint not null default 0,
  output_tokens bigint not null default 0,
  cost_usd numeric not null default 0,
  batch_ids text[] not null default '{}',
  error_count integer not null default 0,
  failure_reason text,
  timeout_ms bigint not null,
  created_at timestamptz not null,
  updated_at timestamptz not null,
  queued_at timestamptz,
  started_at timestamptz,
  completed_at timestamptz,
  expires_at timestamptz not null,
  retry_due_at timestamptz,
  cancel_requested_at timestamptz,
  version integer not null
);

create index jobs_claim_order on jobs (status, priority, created_at);
create index jobs_tenant_created on jobs (tenant, created_at desc);
create index jobs_tags on jobs using gin (tags);
create unique index jobs_idempotency on jobs (tenant, idempotency_key) where idempotency_key is not null;

-- Read model: a tenant's totals; deleted jobs stay counted.
create table job_stats (
  tenant text primary key,
  total_created bigint not null default 0,
  total_completed bigint not null default 0,
  total_failed bigint not null default 0,
  total_cancelled bigint not null default 0,
  total_expired bigint not null default 0,
  total_deduplicated bigint not null default 0,
  processing_time_ms_sum bigint not null default 0,
  processing_time_count bigint not null default 0,
  input_tokens bigint not null default 0,
  output_tokens bigint not null default 0,
  cost_usd numeric not null default 0
);

-- Read model: each sub-batch of a job, from intent to collected results.
create table job_batches (
  job_id text not null,
  batch_key text not null,
  attempt integer not null,
  request_count integer not null,
  anthropic_batch_id text,
  status text not null, -- intended | submitted | ended | collected
  intended_at timestamptz not null,
  submitted_at timestamptz,
  ended_at timestamptz,
  collected_at timestamptz,
  primary key (job_id, batch_key)
);
create unique index job_batches_anthropic on job_batches (anthropic_batch_id) where anthropic_batch_id is not null;
create index job_batches_open on job_batches (job_id) where status <> 'collected';

-- Insert-only: the requests of each job, in the order given. A duplicate names
-- the request whose outcome it takes.
create table job_requests (
  job_id text not null,
  ordinal integer not null,
  custom_id text not null,
  params jsonb,
  fingerprint text not null,
  original_job_id text,
  original_ordinal integer,
  primary key (job_id, ordinal)
);
create unique index job_requests_custom_id on job_requests (job_id, custom_id);

-- Insert-only: which requests went into which sub-batch.
create table batch_requests (
  job_id text not null,
  batch_key text not null,
  ordinal integer not null,
  primary key (job_id, batch_key, ordinal)
);
create index batch_requests_by_request on batch_requests (job_id, ordinal);

-- Insert-only: every outcome of every attempt. Exactly one final outcome per
-- request (the partial unique index enforces it).
create table request_results (
  job_id text not null,
  ordinal integer not null,
  attempt integer not null,
  batch_key text,
  result_type text not null, -- succeeded | errored | canceled | expired
  error_type text,
  final boolean not null,
  result jsonb not null,
  input_tokens integer not null default 0,
  output_tokens integer not null default 0,
  recorded_at timestamptz not null,
  primary key (job_id, ordinal, attempt)
);
create unique index request_results_final on request_results (job_id, ordinal) where final;

-- The deduplication index: which request first asked for these params, and when.
create table request_fingerprints (
  tenant text not null,
  fingerprint text not null,
  job_id text not null,
  ordinal integer not null,
  created_at timestamptz not null,
  primary key (tenant, fingerprint, job_id, ordinal)
);
create index request_fingerprints_lookup on request_fingerprints (tenant, fingerprint, created_at desc);

-- Operational: who is working on a processing job, until when.
create table job_leases (
  job_id text primary key,
  owner text not null,
  expires_at timestamptz not null,
  acquired_at timestamptz not null
);
create index job_leases_expiry on job_leases (expires_at);
