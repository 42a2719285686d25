import { PayloadTooLargeError, ValidationError } from '../domain/errors.js';

/** One non-blank line of an NDJSON body, parsed; `lineNumber` counts from 1, blank lines included. */
export interface NdjsonLine {
  lineNumber: number;
  value: unknown;
}

export interface NdjsonReadOptions {
  /** The most bytes read before the body is refused with 413. */
  maxBytes: number;
}

/** The media type of one JSON value a line. */
export const NDJSON_MEDIA_TYPE = 'application/x-ndjson';

/** Whether a Content-Type header names NDJSON (parameters such as `charset` aside). */
export function isNdjsonContentType(contentType: string | undefined): boolean {
  return contentType?.split(';')[0]?.trim().toLowerCase() === NDJSON_MEDIA_TYPE;
}

/**
 * Reads an NDJSON body line by line as it arrives: only the current partial line is held, never
 * the whole body as one string. Throws a ValidationError naming the line of malformed JSON, and a
 * PayloadTooLargeError once more than `maxBytes` have come. Stopping early cancels the body.
 */
export async function* readNdjsonLines(
  body: ReadableStream<Uint8Array> | null,
  options: NdjsonReadOptions,
): AsyncGenerator<NdjsonLine> {
  if (!body) return;
  const reader = body.getReader();
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let bytes = 0;
  let partial = '';
  let lineNumber = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      bytes += value.byteLength;
      if (bytes > options.maxBytes) {
        throw new PayloadTooLargeError(`the request body is larger than ${options.maxBytes} bytes`);
      }
      const lines = (partial + decode(decoder, value, lineNumber + 1, true)).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) {
        lineNumber += 1;
        const parsed = parseLine(line, lineNumber);
        if (parsed) yield parsed;
      }
    }
    const last = partial + decode(decoder, undefined, lineNumber + 1, false);
    if (last !== '') {
      lineNumber += 1;
      const parsed = parseLine(last, lineNumber);
      if (parsed) yield parsed;
    }
  } finally {
    // An early stop (a bad line, a consumer that gave up) leaves the rest of the body unread.
    await reader.cancel().catch(() => {});
    reader.releaseLock();
  }
}

function decode(
  decoder: InstanceType<typeof TextDecoder>,
  chunk: Uint8Array | undefined,
  lineNumber: number,
  stream: boolean,
): string {
  try {
    return decoder.decode(chunk, { stream });
  } catch {
    throw invalidLine(lineNumber, 'not valid UTF-8');
  }
}

function parseLine(line: string, lineNumber: number): NdjsonLine | undefined {
  const text = line.endsWith('\r') ? line.slice(0, -1) : line;
  if (text.trim() === '') return undefined;
  try {
    return { lineNumber, value: JSON.parse(text) };
  } catch {
    throw invalidLine(lineNumber, 'not valid JSON');
  }
}

function invalidLine(lineNumber: number, message: string): ValidationError {
  return new ValidationError(`line ${lineNumber}: ${message}`, [
    { path: `line ${lineNumber}`, message },
  ]);
}
