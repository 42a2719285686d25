-- Cache priming (issue 21; docs/architecture.md, "Cache priming"): what the job view says of a
-- job that primes the prompt cache (CachePrimingView as JSON). Null: priming is off.
alter table jobs add column cache_priming jsonb;
