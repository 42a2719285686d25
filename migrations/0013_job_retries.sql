-- A retry job (POST /v1/jobs/:id/retry) sends again some of an ended job's requests. Both
-- links are projected from the log: `retry_of` from the retry's JobCreated, `retries` from the
-- original's JobRetried events. The merged results follow `retry_of` down the chain.
alter table jobs add column retry_of text;
alter table jobs add column retries text[] not null default '{}';
create index jobs_retry_of on jobs (retry_of) where retry_of is not null;
