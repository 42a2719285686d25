-- A job's cost split as Anthropic bills it (issue 20): cache tokens by kind, and the cost by
-- kind with the standard (non-batch) price beside it. cost_split null: unknown (a model without
-- a price, or results collected before the split was kept). job_stats sums the known splits.
alter table jobs
  add column cache_write_5m_tokens bigint not null default 0,
  add column cache_write_1h_tokens bigint not null default 0,
  add column cache_read_tokens bigint not null default 0,
  add column cost_split jsonb;

alter table job_stats
  add column cache_write_5m_tokens bigint not null default 0,
  add column cache_write_1h_tokens bigint not null default 0,
  add column cache_read_tokens bigint not null default 0,
  add column input_usd numeric not null default 0,
  add column output_usd numeric not null default 0,
  add column cache_write_5m_usd numeric not null default 0,
  add column cache_write_1h_usd numeric not null default 0,
  add column cache_read_usd numeric not null default 0,
  add column standard_usd numeric not null default 0;
