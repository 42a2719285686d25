import type { Kysely, Transaction } from 'kysely';
import type { EventStoreTables } from './event-store.tables.js';

/** Every table batchkeeper keeps; each area declares its own in a `*.tables.ts` file. */
export interface Database extends EventStoreTables {}

export type Db = Kysely<Database>;
export type Trx = Transaction<Database>;
export type DbOrTrx = Db | Trx;

export type * from './event-store.tables.js';
