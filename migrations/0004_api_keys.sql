-- API keys made with `batchkeeper keys create`. Only a SHA-256 hash of each key
-- is kept; the key itself is shown once, when it is made.
create table api_keys (
  id text primary key,
  tenant text not null check (tenant <> ''),
  name text,
  -- The key's first characters (`bk_` + 8), to find its row and to name it in `keys list`.
  prefix text not null,
  -- Hex SHA-256 of the whole key.
  key_hash text not null unique,
  created_at timestamptz not null default now(),
  revoked_at timestamptz
);

create index api_keys_active_by_prefix on api_keys (prefix) where revoked_at is null;
