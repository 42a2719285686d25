-- Deduplication is decided by the database: one row per tenant and
-- fingerprint names the request that is the original, and a new job takes the
-- row over (INSERT ... ON CONFLICT) only once it is out of the window. A job
-- that can no longer answer (cancelled, failed, expired, deleted) removes its
-- rows. Concurrent creations then need no lock: the one whose insert loses
-- plans again against the winner. (The takeover is decided on the row alone:
-- a subquery in ON CONFLICT's WHERE would see the statement's snapshot, not
-- the winner's commit.)
create table request_originals (
  tenant text not null,
  fingerprint text not null,
  job_id text not null,
  ordinal integer not null,
  created_at timestamptz not null,
  primary key (tenant, fingerprint)
);

-- Of the rows kept so far, the newest whose job may still answer.
insert into request_originals (tenant, fingerprint, job_id, ordinal, created_at)
select distinct on (f.tenant, f.fingerprint) f.tenant, f.fingerprint, f.job_id, f.ordinal, f.created_at
from request_fingerprints f
join jobs j on j.id = f.job_id
where j.status not in ('cancelled', 'failed', 'expired')
order by f.tenant, f.fingerprint, f.created_at desc;

create index request_originals_job on request_originals (job_id);

drop table request_fingerprints;
alter table request_originals rename to request_fingerprints;
alter index request_originals_pkey rename to request_fingerprints_pkey;
alter index request_originals_job rename to request_fingerprints_job;
