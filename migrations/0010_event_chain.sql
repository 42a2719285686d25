-- A hash chain per stream (docs/audit.md): each event's hash is
-- sha256(previous event's hash || the UTF-8 of its link text), the link text being the
-- canonical JSON of (stream id, version, type, digest of the data, metadata, recorded time)
-- that the application computes (src/store/event-chain.ts); the first event of a stream has
-- no previous hash. The append statement reads the previous hash itself, so a writer cannot
-- choose it.
--
-- Fast on a big log: the columns are nullable (no table rewrite) and the constraints are
-- NOT VALID (no scan of the old rows; new and updated rows are checked). Only the unique
-- index the foreign key needs is built here. Events written before this migration keep a
-- null hash until `chainUnchainedEvents` (src/audit/chain-old-events.ts, run by
-- `batchkeeper audit chain`) fills them, stream by stream, in batches; it can stop and
-- resume at any point.
alter table events
  add column hash bytea,
  add column previous_hash bytea;

alter table events
  add constraint events_stream_version_hash unique (stream_id, version, hash);

-- The database refuses a link whose previous hash is not the previous event's hash. This
-- foreign key replaces 0005's on (stream_id, previous_version) under the same name: one check
-- per insert, not two. An append whose previous version does not exist links to a hash no
-- event has (see append-statement.ts), so this key still refuses a gap in the versions.
alter table events drop constraint events_previous_version;
alter table events
  add constraint events_previous_version
  foreign key (stream_id, previous_version, previous_hash)
  references events (stream_id, version, hash) not valid;

-- A chained event after the first names its predecessor's hash. A null hash is an event not
-- chained yet (written before 0010, or appended to a stream whose head was not chained yet);
-- such events are not linked by the key above until chained.
alter table events
  add constraint events_chained_link
  check (hash is null or previous_version is null or previous_hash is not null) not valid;

-- Where chaining old events stands: the old events are walked in position order up to the
-- newest one at migration time (`chain_until`), `chained_up_to` is how far that walk got, and
-- `done_at` is set once no unchained event is left.
create table event_chain_progress (
  id boolean primary key default true check (id),
  chain_until bigint not null,
  chained_up_to bigint not null default 0,
  done_at timestamptz
);
insert into event_chain_progress (chain_until, done_at)
  select coalesce(max(position), 0), case when max(position) is null then now() end from events;
