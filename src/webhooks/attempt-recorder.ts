import type { Db } from '../store/schema/index.js';
import { type DeliveryAttemptRecord, recordDeliveryAttempts } from './record-delivery-attempts.js';

/** Writes a batch of records; resolves with the ids of those recorded (claims still ours). */
export type WriteAttempts = (records: readonly DeliveryAttemptRecord[]) => Promise<Set<string>>;

/** Each batch in a transaction of its own (recordDeliveryAttempts). */
export function writeAttemptsTo(db: Db): WriteAttempts {
  return (records) => db.transaction().execute((trx) => recordDeliveryAttempts(trx, records));
}

/** Records attempts in batches: whatever finished while the last batch was being written. */
export interface AttemptRecorder {
  /** Resolves true once recorded, false when the claim had lapsed; rejects when it could not be written. */
  record(record: DeliveryAttemptRecord): Promise<boolean>;
  /** Resolves once every record handed in so far is written (or failed). */
  flushed(): Promise<void>;
}

/** Records per transaction at most (default: 100). */
const DEFAULT_MAX_BATCH = 100;

interface Waiting {
  record: DeliveryAttemptRecord;
  resolve: (kept: boolean) => void;
  reject: (error: unknown) => void;
}

/**
 * Group commit for attempts: the first record is written at once; those that arrive while a
 * transaction is in flight wait for it and go together in the next one, so a busy relay
 * commits many attempts per transaction and an idle one adds no delay. A batch that fails is
 * written again one record per transaction, so one bad record fails alone.
 */
export function createAttemptRecorder(
  write: WriteAttempts,
  maxBatch = DEFAULT_MAX_BATCH,
): AttemptRecorder {
  const queue: Waiting[] = [];
  let writing: Promise<void> | undefined;

  async function writeBatch(batch: Waiting[]): Promise<void> {
    try {
      const kept = await write(batch.map((w) => w.record));
      for (const w of batch) w.resolve(kept.has(w.record.deliveryId));
      return;
    } catch (error) {
      if (batch.length === 1) return batch[0]!.reject(error);
    }
    for (const w of batch) {
      try {
        w.resolve((await write([w.record])).has(w.record.deliveryId));
      } catch (error) {
        w.reject(error);
      }
    }
  }

  async function drain(): Promise<void> {
    while (queue.length > 0) await writeBatch(queue.splice(0, maxBatch));
    writing = undefined;
  }

  return {
    record(record) {
      return new Promise<boolean>((resolve, reject) => {
        queue.push({ record, resolve, reject });
        writing ??= drain();
      });
    },
    async flushed() {
      await writing;
    },
  };
}
