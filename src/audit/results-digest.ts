import { createHash } from 'node:crypto';
import { canonicalJson } from '../domain/canonical-json.js';
import { storableJson, storableText } from '../store/jobs/storable-json.js';

/** A stored result as its digest covers it (request_results, without its recording time). */
export interface DigestedResult {
  ordinal: number;
  attempt: number;
  batchKey: string | null;
  resultType: string;
  errorType: string | null;
  final: boolean;
  /** Anthropic's result object, or a purge marker that kept its digest (see PurgedPayload). */
  result: unknown;
  inputTokens: number;
  outputTokens: number;
}

/** What a purged payload is replaced by: the digest of what it was, so the chain still verifies. */
export interface PurgedPayload {
  purged: true;
  digest: string;
}

export function isPurgedPayload(value: unknown): value is PurgedPayload {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as PurgedPayload).purged === true &&
    typeof (value as PurgedPayload).digest === 'string'
  );
}

/** The hex SHA-256 of a payload's canonical JSON (kept by a purge in its place). */
export function payloadDigest(payload: unknown): string {
  if (isPurgedPayload(payload)) return payload.digest;
  return createHash('sha256')
    .update(canonicalJson(payload ?? null), 'utf8')
    .digest('hex');
}

/** An escape jsonb may refuse (a NUL, a surrogate): then storableJson says how it is stored. */
const MAYBE_UNSTORABLE = /\\u(?:0000|d[89a-f])/i;

/** The digest of the payload as the results table stores it (escaped where jsonb refuses text). */
function storedPayloadDigest(payload: unknown): string {
  if (isPurgedPayload(payload)) return payload.digest;
  let text = canonicalJson(payload ?? null);
  if (MAYBE_UNSTORABLE.test(text)) {
    const stored = storableJson(payload);
    if (stored.escaped) text = canonicalJson(JSON.parse(stored.text));
  }
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/**
 * One result's digest: its fields as the results table stores them (text jsonb cannot hold is
 * kept escaped: storableJson), with the payload by its digest (so a purge keeps it). A result
 * about to be stored and the same result read back give the same digest.
 */
export function resultDigest(result: DigestedResult): Buffer {
  const errorType = result.errorType === null ? null : storableText(result.errorType);
  const text = canonicalJson({
    ordinal: result.ordinal,
    attempt: result.attempt,
    batchKey: result.batchKey,
    resultType: result.resultType,
    errorType,
    final: result.final,
    payload: storedPayloadDigest(result.result),
    inputTokens: result.inputTokens,
    outputTokens: result.outputTokens,
  });
  return createHash('sha256').update(text, 'utf8').digest();
}

/**
 * The digest of a set of results in request order (ordinal, then attempt): SHA-256 over the
 * results' own digests, so one result can be shown to belong with the list of the others'.
 * Results may be added in any order; 32 bytes are kept per result.
 */
export class ResultsDigest {
  readonly #entries: Array<{ ordinal: number; attempt: number; digest: Buffer }> = [];

  add(result: DigestedResult): void {
    this.#entries.push({
      ordinal: result.ordinal,
      attempt: result.attempt,
      digest: resultDigest(result),
    });
  }

  get count(): number {
    return this.#entries.length;
  }

  /** The hex digest ("sha256:" prefix-free) of every result added so far. */
  digest(): string {
    const hash = createHash('sha256');
    const sorted = [...this.#entries].sort(
      (a, b) => a.ordinal - b.ordinal || a.attempt - b.attempt,
    );
    for (const entry of sorted) hash.update(entry.digest);
    return hash.digest('hex');
  }
}
