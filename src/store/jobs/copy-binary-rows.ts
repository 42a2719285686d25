/**
 * The rows of a `COPY … TO STDOUT (FORMAT binary)` of `(ordinal int4, upto int8, line text)`,
 * read from the bytes as Postgres framed them: each line is a slice of what came, never decoded.
 * (The format: an 11-byte signature, flags and a header extension; then per row a field count,
 * and per field a length and its bytes; a count of -1 ends it.) Hand-written because the one
 * library for it decodes every field into a JS value, which is the cost this path exists to
 * avoid.
 */
export interface CopiedLines {
  /** Each line's bytes, in order. */
  lines: Uint8Array[];
  /** The `upto` of the last row (the page's bytes), 0 for none. */
  bytes: number;
  /** The ordinal of the last row, null for none. */
  lastOrdinal: number | null;
}

const SIGNATURE = Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1');

export function readCopiedLines(chunks: readonly Buffer[]): CopiedLines {
  const data = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
  if (data.length < 19 || !data.subarray(0, 11).equals(SIGNATURE)) {
    throw new Error('not a binary COPY stream');
  }
  let at = 19 + data.readInt32BE(15);
  const lines: Uint8Array[] = [];
  let bytes = 0;
  let lastOrdinal: number | null = null;
  for (;;) {
    const fields = data.readInt16BE(at);
    at += 2;
    if (fields === -1) break;
    if (fields !== 3) throw new Error(`a copied row has ${fields} fields, not 3`);
    at += 4; // int4's length
    lastOrdinal = data.readInt32BE(at);
    at += 4 + 4; // the ordinal, then int8's length
    bytes = Number(data.readBigInt64BE(at));
    at += 8;
    const length = data.readInt32BE(at);
    at += 4;
    lines.push(data.subarray(at, at + length));
    at += length;
  }
  return { lines, bytes, lastOrdinal };
}
