-- The event log: every fact about a job, in the order it was committed.
create table events (
  position bigserial primary key,
  stream_id text not null,
  version integer not null check (version >= 1),
  type text not null,
  data jsonb not null,
  metadata jsonb not null,
  recorded_at timestamptz not null default now(),
  -- The writing transaction. Catch-up readers stop below the oldest running
  -- transaction, so an event that commits late with a lower position is not skipped.
  -- Kept as bigint (the xid8 value) rather than xid8: PGlite orders xid8 wrongly in
  -- indexes, and a plain bigint compares the same everywhere.
  transaction_id bigint not null default (pg_current_xact_id()::text::bigint),
  constraint events_stream_version unique (stream_id, version)
);

create index events_commit_order on events (transaction_id, position);

-- Where each named subscription has read up to, as a (transaction, position) pair.
create table subscription_checkpoints (
  name text primary key,
  transaction_id bigint not null,
  position bigint not null,
  updated_at timestamptz not null default now()
);
