import type { CachedPrefix, CacheTtl } from './simulated-reply.js';

/** One cached prefix: when it was written, when it lapses unless read again, and its TTL. */
export interface PromptCacheEntry {
  writtenAt: number;
  expiresAt: number;
  ttl: CacheTtl;
}

const TTL_MS: Record<CacheTtl, number> = { '5m': 5 * 60 * 1000, '1h': 60 * 60 * 1000 };

/**
 * The organisation's batch prompt cache: the prefixes processed requests wrote, each alive for
 * its TTL from its last write or read. Times are epoch ms on the simulator's clock.
 */
export class PromptCache {
  readonly #entries = new Map<string, PromptCacheEntry>();
  #sweepAt = 1024;

  /**
   * How many of a prompt's prefixes (shortest first) a request beginning at `at` gets from the
   * cache: up to and including the longest one alive then, 0 when none is.
   */
  readCount(prefixes: readonly CachedPrefix[], at: number): number {
    for (let k = prefixes.length - 1; k >= 0; k--) {
      if (this.isAlive(prefixes[k]!.key, at)) return k + 1;
    }
    return 0;
  }

  /**
   * Records a processed request at `at`: the prefix it read is refreshed and the ones it wrote
   * are created, each alive for its own TTL from `at` (never shortened by a shorter TTL).
   */
  use(prefixes: readonly CachedPrefix[], at: number): void {
    for (const prefix of prefixes) {
      const expiresAt = at + TTL_MS[prefix.ttl];
      const entry = this.#entries.get(prefix.key);
      if (entry && entry.expiresAt > at) {
        if (expiresAt >= entry.expiresAt)
          this.#entries.set(prefix.key, { ...entry, expiresAt, ttl: prefix.ttl });
      } else {
        this.#entries.set(prefix.key, { writtenAt: at, expiresAt, ttl: prefix.ttl });
      }
    }
    if (this.#entries.size >= this.#sweepAt) this.#sweep(at);
  }

  isAlive(key: string, at: number): boolean {
    const entry = this.#entries.get(key);
    return entry !== undefined && entry.expiresAt > at;
  }

  entry(key: string): PromptCacheEntry | undefined {
    return this.#entries.get(key);
  }

  /** Drops lapsed entries, so a long run with ever new prefixes does not grow without bound. */
  #sweep(at: number): void {
    for (const [key, entry] of this.#entries) if (entry.expiresAt <= at) this.#entries.delete(key);
    this.#sweepAt = Math.max(1024, this.#entries.size * 2);
  }
}
