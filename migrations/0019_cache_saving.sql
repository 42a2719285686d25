-- What prompt-cache reads saved per job (issue 21; src/domain/cache-report.ts): null is unknown.
-- The saving needs each request's TTL and the price table at collection, so it is kept from
-- now on. Jobs that collected results before get what a replay of their log gives (a rebuild
-- must find no difference): unknown when a batch read the cache or was collected before cache
-- tokens were counted (0014), 0 otherwise. job_stats sums the known savings.
alter table jobs add column cache_saved_usd numeric default 0;

update jobs set cache_saved_usd = null
where exists (
  select 1 from events e
  where e.stream_id = jobs.id
    and e.type = 'BatchResultsCollected'
    and coalesce((e.data->'usage'->>'cacheReadTokens')::bigint, 1) > 0
);

alter table job_stats add column cache_saved_usd numeric not null default 0;
