-- A tenant's totals in 16 rows instead of one: every creation and every collected batch adds
-- to them, and one row would have every commit of a tenant wait for the one before it to
-- flush (a lock held until COMMIT). A job always adds to the same shard (a hash of its id);
-- readers sum the shards.
alter table job_stats add column shard smallint not null default 0;
alter table job_stats drop constraint job_stats_pkey;
alter table job_stats add primary key (tenant, shard);
