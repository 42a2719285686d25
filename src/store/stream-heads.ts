/** A stream's newest event as this process last wrote or read it. */
export interface StreamHead {
  version: number;
  /** Hex. */
  hash: string;
}

/** How many streams' heads are remembered (the least recently used are forgotten first). */
const MOST_HEADS = 10_000;

const heads = new Map<string, StreamHead>();

/**
 * The head hash this process knows for a stream at `version`, so an append after it can link
 * to it without reading it. Only a hint: the foreign key refuses a link to a hash that is not
 * the stored one (a head another writer replaced, a rolled-back append), the append then fails
 * as a ConcurrencyError, forgets the hint, and the caller's retry reads the head.
 */
export function knownHead(streamId: string, version: number): string | undefined {
  const head = heads.get(streamId);
  return head && head.version === version ? head.hash : undefined;
}

export function rememberHead(streamId: string, head: StreamHead): void {
  heads.delete(streamId);
  heads.set(streamId, head);
  if (heads.size > MOST_HEADS) heads.delete(heads.keys().next().value!);
}

export function forgetHead(streamId: string): void {
  heads.delete(streamId);
}

/** Forgets every head (tests that rewrite the log by hand; a database restored under a process). */
export function forgetStreamHeads(): void {
  heads.clear();
}
