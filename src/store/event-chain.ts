import { createHash } from 'node:crypto';
import { canonicalJson } from '../domain/canonical-json.js';

/** What an event's link covers; `data` may be left out when only its digest is kept. */
export interface EventLinkFields {
  streamId: string;
  version: number;
  type: string;
  /** The hex SHA-256 of the canonical JSON of the event's data (see dataDigest). */
  dataDigest: string;
  metadata: unknown;
  recordedAt: Date | string;
}

/**
 * The text an event's hash covers: the canonical JSON of its stream, version, type, data
 * digest, metadata and recorded time (ISO 8601 in milliseconds, as the application set it),
 * so anyone holding an export can reproduce it byte for byte without the database.
 */
export function eventLinkText(fields: EventLinkFields): string {
  return linkText(fields, storedCanonicalJson(fields.metadata));
}

/**
 * eventLinkText with the metadata's canonical JSON given (an append computes it once for all
 * its events). The keys are written in their sorted order, so this is canonicalJson of the
 * link's object, without walking the metadata again.
 */
export function linkText(
  fields: Omit<EventLinkFields, 'metadata'>,
  canonicalMetadata: string,
): string {
  const recordedAt =
    typeof fields.recordedAt === 'string'
      ? new Date(fields.recordedAt).toISOString()
      : fields.recordedAt.toISOString();
  if (!Number.isSafeInteger(fields.version))
    throw new Error(`version ${fields.version} is not an integer`);
  return (
    `{"dataDigest":${JSON.stringify(fields.dataDigest)},"metadata":${canonicalMetadata},` +
    `"recordedAt":"${recordedAt}","streamId":${JSON.stringify(fields.streamId)},` +
    `"type":${JSON.stringify(fields.type)},"version":${fields.version}}`
  );
}

/**
 * An event's hash: SHA-256 of the previous event's hash (none for a stream's first event)
 * followed by the UTF-8 of the link text; the append computes the same in SQL.
 */
export function chainHash(previousHash: string | null, linkText: string): string {
  const hash = createHash('sha256');
  if (previousHash !== null) hash.update(Buffer.from(previousHash, 'hex'));
  return hash.update(linkText, 'utf8').digest('hex');
}

/** The hex SHA-256 of a value's canonical JSON, as it reads back from a jsonb column. */
export function dataDigest(data: unknown): string {
  return sha256Hex(storedCanonicalJson(data));
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/**
 * The canonical JSON of a value as JSON.stringify stores it: canonicalJson refuses what is not
 * plain JSON (a Date, undefined in an array...), so such a value is first brought to the form
 * the database keeps and reads back.
 */
export function storedCanonicalJson(value: unknown): string {
  try {
    return canonicalJson(value ?? null);
  } catch {
    return canonicalJson(JSON.parse(JSON.stringify(value ?? null)));
  }
}
