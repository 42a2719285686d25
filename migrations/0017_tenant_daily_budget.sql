-- The per-tenant daily budget (issue 20; docs/operations.md, "Budgets"). A null column means the
-- default (BATCHKEEPER_TENANT_DAILY_BUDGET_USD, none when unset). Set with `batchkeeper tenants limits`.
alter table tenant_limits add column daily_budget_usd double precision
  check (daily_budget_usd > 0);

-- What the daily budget counts, per sub-batch: the most it can be billed while it is in flight
-- (0 where it was not recorded: no budget applied when it was sent) and what it cost once
-- collected (null: unknown, or not collected yet).
alter table job_batches add column worst_case_usd double precision not null default 0;
alter table job_batches add column cost_usd double precision;

-- Why a paused job is paused ('budget', 'tenant-budget', 'caller'; null: not paused): the
-- tenant-budget sweep looks for the jobs it may resume.
alter table jobs add column paused_for text;
create index jobs_paused_for_tenant_budget on jobs (tenant) where paused_for = 'tenant-budget';

-- Web searches' per-use fee, its own part of the cost split (CostParts.webSearchUsd).
alter table job_stats add column web_search_usd numeric not null default 0;

-- Shown in the job view: the job's cap (null: none) and what it does over budget ('error'; null: pause).
alter table jobs add column max_cost_usd double precision;
alter table jobs add column over_budget text;
