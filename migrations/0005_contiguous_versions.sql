-- A stream's versions have no gaps: every event after the first has its
-- predecessor. The database enforces it, so an append is a plain INSERT at
-- expected+1: the unique (stream_id, version) index refuses a stale version and
-- this foreign key refuses one the stream has not reached.
alter table events
  add column previous_version integer generated always as (nullif(version - 1, 0)) stored;

alter table events
  add constraint events_previous_version
  foreign key (stream_id, previous_version) references events (stream_id, version);
