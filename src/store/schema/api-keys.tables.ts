import type { ColumnType, Insertable, Selectable } from 'kysely';

/** One row per key made with `batchkeeper keys create`; the key itself is never stored. */
export interface ApiKeysTable {
  id: string;
  tenant: string;
  name: string | null;
  /** The key's first characters, for lookup and display. */
  prefix: string;
  /** Hex SHA-256 of the whole key. */
  key_hash: string;
  created_at: ColumnType<Date, Date | string | undefined, never>;
  revoked_at: ColumnType<Date | null, never, Date | string>;
}

export interface ApiKeyTables {
  api_keys: ApiKeysTable;
}

export type ApiKeyRow = Selectable<ApiKeysTable>;
export type NewApiKeyRow = Insertable<ApiKeysTable>;
