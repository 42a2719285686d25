-- A job's errored results in two kinds: final failures, and attempts that were sent again
-- (a retry may have fixed them). error_count keeps counting both. Rows of jobs written before
-- this column count their retried errors as final until `batchkeeper projections rebuild`.
alter table jobs add column retried_error_count integer not null default 0;
