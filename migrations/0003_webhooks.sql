-- Webhooks: where to send (endpoints), what to send (the outbox) and what happened (attempts).

-- A subscription (POST /v1/webhooks) or a job's own callback (createJob's callbackUrl).
create table webhook_endpoints (
  id text primary key,
  tenant text not null,
  kind text not null check (kind in ('subscription', 'job_callback')),
  url text not null,
  -- A subscription without a job id covers every job of its tenant.
  job_id text,
  -- A JSON array of event type names.
  event_types jsonb not null,
  -- `whsec_...`, or `enc:v1:...` when BATCHKEEPER_ENCRYPTION_KEY is set.
  secret text not null,
  -- After a rotation the old secret also signs until previous_secret_expires_at.
  previous_secret text,
  previous_secret_expires_at timestamptz,
  created_at timestamptz not null,
  -- Set when a receiver answered 410 Gone: nothing more is sent.
  disabled_at timestamptz,
  disabled_reason text,
  -- Soft delete: the delivery log still refers to the endpoint.
  deleted_at timestamptz,
  constraint webhook_endpoints_callback_has_job check (kind = 'subscription' or job_id is not null)
);

create unique index webhook_endpoints_one_callback_per_job
  on webhook_endpoints (tenant, job_id) where kind = 'job_callback';
create index webhook_endpoints_by_tenant
  on webhook_endpoints (tenant, created_at, id) where deleted_at is null;

-- The outbox: one row per message to one endpoint. Its id is the webhook-id header,
-- the same on every attempt, so receivers can drop duplicates.
create table webhook_deliveries (
  id text primary key,
  tenant text not null,
  endpoint_id text not null references webhook_endpoints (id),
  job_id text,
  event_type text not null,
  -- The exact bytes sent on every attempt (text, not jsonb, which would reorder keys).
  body text not null,
  status text not null default 'pending' check (status in ('pending', 'delivered', 'dead')),
  attempt_count integer not null default 0,
  max_attempts integer not null,
  next_attempt_at timestamptz not null,
  -- A claim is a lease: a relay that crashes mid-delivery loses it when it expires.
  claimed_by text,
  claim_token text,
  claim_expires_at timestamptz,
  created_at timestamptz not null,
  delivered_at timestamptz,
  last_error text
);

create index webhook_deliveries_due
  on webhook_deliveries (next_attempt_at) where status = 'pending';
create index webhook_deliveries_by_tenant
  on webhook_deliveries (tenant, created_at desc, id desc);
create index webhook_deliveries_by_job
  on webhook_deliveries (tenant, job_id) where job_id is not null;

-- Every attempt, kept for the delivery log.
create table webhook_delivery_attempts (
  delivery_id text not null references webhook_deliveries (id),
  attempt_number integer not null,
  instance_id text not null,
  attempted_at timestamptz not null,
  duration_ms integer not null,
  status_code integer,
  error text,
  response_excerpt text,
  primary key (delivery_id, attempt_number)
);
