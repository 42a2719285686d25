import { setTimeout as sleep } from 'node:timers/promises';
import { listActiveApiKeyHashes } from '../store/api-keys.js';
import type { Db } from '../store/schema/index.js';

/** How long a read of the stored keys vouches for a key in it, in ms: the revocation bound. */
export const STORED_KEYS_MAX_AGE_MS = 1_000;
/** Reads made for keys the last read lacked are at least this far apart, in ms. */
export const STORED_KEYS_MISS_GAP_MS = 100;

export interface StoredApiKeysOptions {
  db: Db;
  /**
   * A key is let in on a read of the stored keys begun at most this long before the request
   * arrived (default: 1000), so a key revoked at time R lets in no request arriving after
   * R + maxAgeMs.
   */
  maxAgeMs?: number | undefined;
  /** The least time between two reads for unknown keys (default: 100). */
  missGapMs?: number | undefined;
  /** Monotonic time in ms (default: `performance.now`). */
  now?: (() => number) | undefined;
}

/** A stored key as a request is let in by it: its tenant and its id (what `keys list` prints). */
export interface StoredKey {
  tenant: string;
  id: string;
}

interface KeysRead {
  startedAt: number;
  keys: ReadonlyMap<string, StoredKey>;
}

/**
 * The active stored API keys (their hashes and tenants), read from api_keys as a whole and
 * kept briefly, so a request does not query the table: under load it is read about once a
 * second, whatever the rate of requests. Two rules make it safe:
 *
 * - a key found in a read is let in only if that read began at most `maxAgeMs` before the
 *   request arrived (an older one is read again first, and one is begun ahead of time once
 *   half of that has passed): revoking a key takes effect within `maxAgeMs` (1 s);
 * - a key not found is looked for again in a read begun after the request arrived, so a key
 *   made a moment ago works at once. Those reads are shared by every request waiting and at
 *   least `missGapMs` apart: a stream of wrong keys costs at most 10 reads a second.
 */
export class StoredApiKeys {
  readonly #db: Db;
  readonly #maxAgeMs: number;
  readonly #missGapMs: number;
  readonly #now: () => number;
  #latest: KeysRead | undefined;
  #reading: { startedAt: number; done: Promise<KeysRead> } | undefined;
  #queued: Promise<KeysRead> | undefined;
  #lastStartedAt = Number.NEGATIVE_INFINITY;

  constructor(options: StoredApiKeysOptions) {
    this.#db = options.db;
    this.#maxAgeMs = options.maxAgeMs ?? STORED_KEYS_MAX_AGE_MS;
    this.#missGapMs = options.missGapMs ?? STORED_KEYS_MISS_GAP_MS;
    this.#now = options.now ?? (() => performance.now());
  }

  /** The tenant of the active stored key whose hash is `keyHash`, or undefined. */
  async tenantOf(keyHash: string): Promise<string | undefined> {
    return (await this.keyOf(keyHash))?.tenant;
  }

  /** The active stored key whose hash is `keyHash` (its tenant and id), or undefined. */
  async keyOf(keyHash: string): Promise<StoredKey | undefined> {
    const arrivedAt = this.#now();
    const recent = await this.#readBegunSince(arrivedAt - this.#maxAgeMs);
    const key = recent.keys.get(keyHash);
    if (key !== undefined) {
      this.#readAheadIfOld();
      return key;
    }
    if (recent.startedAt >= arrivedAt) return undefined;
    return (await this.#readBegunSince(arrivedAt)).keys.get(keyHash);
  }

  /** The latest read if it began at `since` or later; else the one running or the next one. */
  #readBegunSince(since: number): KeysRead | Promise<KeysRead> {
    if (this.#latest && this.#latest.startedAt >= since) return this.#latest;
    if (this.#reading && this.#reading.startedAt >= since) return this.#reading.done;
    return this.#nextRead();
  }

  /**
   * A read that begins after now: one at a time, `missGapMs` after the one before. Every
   * caller until it begins shares it (it begins after each of them asked).
   */
  #nextRead(): Promise<KeysRead> {
    this.#queued ??= (async () => {
      try {
        await this.#reading?.done.catch(() => {});
        const wait = this.#lastStartedAt + this.#missGapMs - this.#now();
        if (wait > 0) await sleep(wait);
      } finally {
        this.#queued = undefined;
      }
      return this.#beginRead();
    })();
    return this.#queued;
  }

  #beginRead(): Promise<KeysRead> {
    const startedAt = this.#now();
    this.#lastStartedAt = startedAt;
    const done = listActiveApiKeyHashes(this.#db)
      .then((rows) => {
        const keys = new Map(rows.map((r) => [r.keyHash, { tenant: r.tenant, id: r.id }]));
        const read = { startedAt, keys };
        if (!this.#latest || this.#latest.startedAt < startedAt) this.#latest = read;
        return read;
      })
      .finally(() => {
        if (this.#reading?.startedAt === startedAt) this.#reading = undefined;
      });
    this.#reading = { startedAt, done };
    return done;
  }

  /** Past half its age, the next read begins now, so that requests seldom wait for one. */
  #readAheadIfOld(): void {
    if (this.#reading || this.#queued || !this.#latest) return;
    if (this.#now() - this.#latest.startedAt < this.#maxAgeMs / 2) return;
    this.#nextRead().catch(() => {});
  }
}
