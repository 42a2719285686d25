import { PayloadTooLargeError, ValidationError } from '../domain/errors.js';
import { findUnstorableJson, unstorablePath } from '../domain/storable-json.js';
import { type LineReaderWork, readLines } from '../support/read-lines.js';

/** One non-blank line of an NDJSON body, parsed; `lineNumber` counts from 1, blank lines included. */
export interface NdjsonLine {
  lineNumber: number;
  value: unknown;
}

/** The longest NDJSON line read: 32 MiB, the Messages API's limit for one request. */
export const MAX_NDJSON_LINE_BYTES = 32 * 1024 * 1024;

export interface NdjsonReadOptions {
  /** The most bytes read before the body is refused with 413. */
  maxBytes: number;
  /** The longest line, line end aside, before the body is refused with 413 (default: 32 MiB). */
  maxLineBytes?: number | undefined;
  /** Counts the line reader's work (for tests). */
  work?: LineReaderWork | undefined;
}

/** The media type of one JSON value a line. */
export const NDJSON_MEDIA_TYPE = 'application/x-ndjson';

/** Whether a Content-Type header names NDJSON (parameters such as `charset` aside). */
export function isNdjsonContentType(contentType: string | undefined): boolean {
  return contentType?.split(';')[0]?.trim().toLowerCase() === NDJSON_MEDIA_TYPE;
}

/**
 * Reads an NDJSON body line by line as it arrives, in linear time: only the current line is
 * held, never the whole body. Throws a ValidationError naming the line of bytes that are not
 * UTF-8, of malformed JSON, or of a value Postgres cannot store (NUL, a lone surrogate, nesting
 * past MAX_JSON_DEPTH); a PayloadTooLargeError once more than `maxBytes` have come or a line is
 * longer than `maxLineBytes`. Stopping early cancels the body.
 */
export async function* readNdjsonLines(
  body: ReadableStream<Uint8Array> | null,
  options: NdjsonReadOptions,
): AsyncGenerator<NdjsonLine> {
  if (!body) return;
  const maxLineBytes = options.maxLineBytes ?? MAX_NDJSON_LINE_BYTES;
  const lines = readLines(body, {
    maxBytes: options.maxBytes,
    tooLarge: (max) => new PayloadTooLargeError(`the request body is larger than ${max} bytes`),
    maxLineBytes,
    lineTooLong: (lineNumber, max) =>
      new PayloadTooLargeError(
        `line ${lineNumber} is longer than ${max} bytes, the most one request may be`,
      ),
    invalidText: (lineNumber) => invalidLine(lineNumber, '', 'not valid UTF-8'),
    work: options.work,
  });
  for await (const { text, number } of lines) {
    const parsed = parseLine(text, number);
    if (parsed) yield parsed;
  }
}

function parseLine(text: string, lineNumber: number): NdjsonLine | undefined {
  if (text.trim() === '') return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw invalidLine(lineNumber, '', 'not valid JSON');
  }
  const unstorable = findUnstorableJson(value);
  if (unstorable) throw invalidLine(lineNumber, unstorablePath(unstorable), unstorable.message);
  return { lineNumber, value };
}

function invalidLine(lineNumber: number, path: string, message: string): ValidationError {
  const where = path === '' ? `line ${lineNumber}` : `line ${lineNumber}.${path}`;
  return new ValidationError(`${where}: ${message}`, [{ path: where, message }]);
}
