/**
 * Counted input tokens by request fingerprint (params and anthropic-version), the least
 * recently used forgotten first: estimating the same requests again asks Anthropic nothing.
 */
export class TokenCountCache {
  readonly #counts = new Map<string, number>();

  constructor(private readonly capacity = 100_000) {}

  get(key: string): number | undefined {
    const count = this.#counts.get(key);
    if (count === undefined) return undefined;
    // A Map keeps insertion order: moving the key to the end marks it as recently used.
    this.#counts.delete(key);
    this.#counts.set(key, count);
    return count;
  }

  set(key: string, count: number): void {
    this.#counts.delete(key);
    this.#counts.set(key, count);
    if (this.#counts.size > this.capacity) {
      this.#counts.delete(this.#counts.keys().next().value!);
    }
  }
}
