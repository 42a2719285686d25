import { describe, expect, it } from 'vitest';
import { readCopiedLines } from '../../../src/store/jobs/copy-binary-rows.js';

/** A binary COPY stream of (ordinal int4, upto int8, line text) rows, as Postgres frames it. */
function copyStream(rows: Array<[number, number, string]>, headerExtension = 0): Buffer {
  const parts = [
    Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1'),
    Buffer.alloc(4),
    (() => {
      const b = Buffer.alloc(4 + headerExtension);
      b.writeInt32BE(headerExtension);
      return b;
    })(),
  ];
  for (const [ordinal, upto, line] of rows) {
    const text = Buffer.from(line, 'utf8');
    const row = Buffer.alloc(2 + 8 + 12 + 4 + text.length);
    let at = row.writeInt16BE(3, 0);
    at = row.writeInt32BE(4, at);
    at = row.writeInt32BE(ordinal, at);
    at = row.writeInt32BE(8, at);
    at = row.writeBigInt64BE(BigInt(upto), at);
    at = row.writeInt32BE(text.length, at);
    text.copy(row, at);
    parts.push(row);
  }
  const trailer = Buffer.alloc(2);
  trailer.writeInt16BE(-1);
  parts.push(trailer);
  return Buffer.concat(parts);
}

const ROWS: Array<[number, number, string]> = [
  [3, 25, '{"custom_id":"a","x":1}\n'],
  [7, 60, '{"custom_id":"é\\"q","y":"✓"}\n'],
  [8, 61, '\n'],
];

describe('reading the rows of a binary COPY', () => {
  it('gives each line’s bytes as sent, the last ordinal and the page’s bytes', () => {
    const page = readCopiedLines([copyStream(ROWS)]);
    expect(page.lines.map((l) => Buffer.from(l).toString('utf8'))).toEqual(ROWS.map((r) => r[2]));
    expect(page).toMatchObject({ bytes: 61, lastOrdinal: 8 });
  });

  it('reads the same however the stream was cut into chunks, and past a header extension', () => {
    const whole = copyStream(ROWS, 5);
    for (let cut = 1; cut < whole.length; cut++) {
      const page = readCopiedLines([whole.subarray(0, cut), whole.subarray(cut)]);
      expect(Buffer.concat(page.lines).toString('utf8')).toBe(ROWS.map((r) => r[2]).join(''));
      expect(page.lastOrdinal).toBe(8);
    }
  });

  it('has no lines for an empty page, and refuses what is not a binary COPY', () => {
    expect(readCopiedLines([copyStream([])])).toEqual({ lines: [], bytes: 0, lastOrdinal: null });
    expect(() => readCopiedLines([Buffer.from('1\t2\tline\n')])).toThrow('not a binary COPY');
  });
});
