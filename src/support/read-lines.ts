/** One line of a stream: its text without the line end, and its number counting from 1. */
export interface Line {
  text: string;
  number: number;
}

export interface ReadLinesOptions {
  /** The error for bytes that are not UTF-8, given the number of the line being read (default: a TypeError). */
  invalidText?: ((lineNumber: number) => Error) | undefined;
  /** Refuse the stream once more than this many bytes have come (default: no limit). */
  maxBytes?: number | undefined;
  /** The error for a stream over maxBytes (default: a RangeError). */
  tooLarge?: ((maxBytes: number) => Error) | undefined;
}

/**
 * The lines of a byte (or text) stream as they arrive, blank lines included: chunks may split
 * lines and characters anywhere, a line ends in LF or CRLF, and a last line without one is a line
 * too. Only the line being read is held, never the whole stream. Stopping early (a `break`, a
 * throw) cancels a web stream, as `for await` does.
 * @example for await (const { text, number } of readLines(response.body!)) parse(text, number);
 */
export async function* readLines(
  source: AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string>,
  options: ReadLinesOptions = {},
): AsyncGenerator<Line> {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let partial = '';
  let number = 0;
  let bytes = 0;
  // A bad byte is reported at the first line the chunk holding it touches: decoding comes first.
  const decode = (chunk?: Uint8Array) => {
    try {
      return chunk ? decoder.decode(chunk, { stream: true }) : decoder.decode();
    } catch {
      throw (options.invalidText ?? invalidUtf8)(number + 1);
    }
  };
  for await (const chunk of source) {
    if (typeof chunk !== 'string' && options.maxBytes !== undefined) {
      bytes += chunk.byteLength;
      if (bytes > options.maxBytes) throw (options.tooLarge ?? tooLarge)(options.maxBytes);
    }
    const text = typeof chunk === 'string' ? chunk : decode(chunk);
    let from = 0;
    for (let newline = text.indexOf('\n'); newline !== -1; newline = text.indexOf('\n', from)) {
      const line = partial + text.slice(from, newline);
      partial = '';
      from = newline + 1;
      number += 1;
      yield { text: withoutCarriageReturn(line), number };
    }
    partial += text.slice(from);
  }
  partial += decode();
  if (partial !== '') yield { text: withoutCarriageReturn(partial), number: number + 1 };
}

function withoutCarriageReturn(line: string): string {
  return line.endsWith('\r') ? line.slice(0, -1) : line;
}

function invalidUtf8(lineNumber: number): Error {
  return new TypeError(`line ${lineNumber} is not valid UTF-8`);
}

function tooLarge(maxBytes: number): Error {
  return new RangeError(`the stream is larger than ${maxBytes} bytes`);
}
