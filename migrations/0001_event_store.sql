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
  transaction_id xid8 not null default pg_current_xact_id(),
  constraint events_stream_version unique (stream_id, version)
);

create index events_commit_order on events (transaction_id, position);

-- Where each named subscription has read up to, as a (transaction, position) pair.
create table subscription_checkpoints (
  name text primary key,
  transaction_id xid8 not null,
  position bigint not null,
  updated_at timestamptz not null default now()
);
