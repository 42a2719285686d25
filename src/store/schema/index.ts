import type { Kysely, Transaction } from 'kysely';
import type { ApiKeyTables } from './api-keys.tables.js';
import type { EventStoreTables } from './event-store.tables.js';
import type { JobTables } from './jobs.tables.js';
import type { WebhookTables } from './webhooks.tables.js';

/** Every table batchkeeper keeps; each area declares its own in a `*.tables.ts` file. */
export interface Database extends EventStoreTables, JobTables, WebhookTables, ApiKeyTables {}

export type Db = Kysely<Database>;
export type Trx = Transaction<Database>;
export type DbOrTrx = Db | Trx;

export type * from './api-keys.tables.js';
export type * from './event-store.tables.js';
export type * from './jobs.tables.js';
export type * from './webhooks.tables.js';
