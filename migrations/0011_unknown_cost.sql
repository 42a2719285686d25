-- A job whose results include a model the price table does not price has an unknown cost:
-- null, never 0. job_stats keeps summing the costs that are known.
alter table jobs alter column cost_usd drop not null;
