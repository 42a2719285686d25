/** One line of a stream: its text without the line end, and its number counting from 1. */
export interface Line {
  text: string;
  number: number;
}

/** A tally of a reader's work: every byte is scanned once and copied at most once. */
export interface LineReaderWork {
  /** Bytes searched for a line end. */
  bytesScanned: number;
  /** Bytes copied to join a line that arrived in more than one chunk. */
  bytesCopied: number;
}

export interface ReadLinesOptions {
  /** The error for bytes that are not UTF-8, given the number of the line holding them (default: a TypeError). */
  invalidText?: ((lineNumber: number) => Error) | undefined;
  /** Refuse the stream once more than this many bytes have come (default: no limit). */
  maxBytes?: number | undefined;
  /** The error for a stream over maxBytes (default: a RangeError). */
  tooLarge?: ((maxBytes: number) => Error) | undefined;
  /** Refuse a line longer than this many bytes, line end aside, as soon as it is (default: no limit). */
  maxLineBytes?: number | undefined;
  /** The error for a line over maxLineBytes (default: a RangeError). */
  lineTooLong?: ((lineNumber: number, maxLineBytes: number) => Error) | undefined;
  /** Counts the reader's work into this object (for tests and measurements). */
  work?: LineReaderWork | undefined;
}

const LF = 0x0a;
const encoder = new TextEncoder();

/**
 * The lines of a byte (or text) stream as they arrive, blank lines included: chunks may split
 * lines and characters anywhere, a line ends in LF or CRLF, and a last line without one is a line
 * too. Only the line being read is held, never the whole stream, and in linear time: a line's
 * pieces are kept as they came and joined once, when its end arrives. Each line is decoded on its
 * own, so bytes that are not UTF-8 are reported with the number of the line that holds them.
 * Stopping early (a `break`, a throw) cancels a web stream, as `for await` does.
 * @example for await (const { text, number } of readLines(response.body!)) parse(text, number);
 */
export async function* readLines(
  source: AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string>,
  options: ReadLinesOptions = {},
): AsyncGenerator<Line> {
  const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  const work = options.work ?? { bytesScanned: 0, bytesCopied: 0 };
  const maxLineBytes = options.maxLineBytes ?? Number.POSITIVE_INFINITY;
  let pieces: Uint8Array[] = [];
  let pieceBytes = 0;
  let number = 0;
  let bytes = 0;

  const lineText = (last: Uint8Array): string => {
    number += 1;
    const whole = join(pieces, pieceBytes, last, work);
    pieces = [];
    pieceBytes = 0;
    let text: string;
    try {
      text = decoder.decode(whole);
    } catch {
      throw (options.invalidText ?? invalidUtf8)(number);
    }
    if (number === 1 && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    return text.endsWith('\r') ? text.slice(0, -1) : text;
  };
  const checkLineLength = (length: number) => {
    if (length > maxLineBytes) throw (options.lineTooLong ?? lineTooLong)(number + 1, maxLineBytes);
  };

  for await (const input of source) {
    const chunk = typeof input === 'string' ? encoder.encode(input) : input;
    if (options.maxBytes !== undefined) {
      bytes += chunk.byteLength;
      if (bytes > options.maxBytes) throw (options.tooLarge ?? tooLarge)(options.maxBytes);
    }
    let from = 0;
    for (;;) {
      const newline = chunk.indexOf(LF, from);
      const end = newline === -1 ? chunk.length : newline;
      work.bytesScanned += (newline === -1 ? chunk.length : newline + 1) - from;
      checkLineLength(pieceBytes + end - from);
      if (newline === -1) {
        if (end > from) {
          pieces.push(chunk.subarray(from));
          pieceBytes += end - from;
        }
        break;
      }
      yield { text: lineText(chunk.subarray(from, newline)), number };
      from = newline + 1;
    }
  }
  if (pieceBytes > 0) yield { text: lineText(new Uint8Array(0)), number };
}

/** The line's bytes: the last piece itself when it is the whole line, else every piece copied once. */
function join(
  pieces: readonly Uint8Array[],
  pieceBytes: number,
  last: Uint8Array,
  work: LineReaderWork,
): Uint8Array {
  if (pieces.length === 0) return last;
  const whole = new Uint8Array(pieceBytes + last.length);
  let at = 0;
  for (const piece of [...pieces, last]) {
    whole.set(piece, at);
    at += piece.length;
  }
  work.bytesCopied += whole.length;
  return whole;
}

function invalidUtf8(lineNumber: number): Error {
  return new TypeError(`line ${lineNumber} is not valid UTF-8`);
}

function tooLarge(maxBytes: number): Error {
  return new RangeError(`the stream is larger than ${maxBytes} bytes`);
}

function lineTooLong(lineNumber: number, maxLineBytes: number): Error {
  return new RangeError(`line ${lineNumber} is longer than ${maxLineBytes} bytes`);
}
