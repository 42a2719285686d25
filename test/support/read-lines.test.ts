import { describe, expect, it } from 'vitest';
import { readLines } from '../../src/support/read-lines.js';

const bytes = (text: string) => new TextEncoder().encode(text);

async function linesOf(chunks: Array<Uint8Array | string>, options = {}) {
  const lines: Array<{ text: string; number: number }> = [];
  for await (const line of readLines(chunks, options)) lines.push(line);
  return lines;
}

describe('readLines', () => {
  it('gives each line without its LF or CRLF, blank lines and a last unended line included', async () => {
    expect(await linesOf([bytes('a\r\n\nb\nc')])).toEqual([
      { text: 'a', number: 1 },
      { text: '', number: 2 },
      { text: 'b', number: 3 },
      { text: 'c', number: 4 },
    ]);
  });

  it('joins a line, a CRLF and a character that chunks cut in two', async () => {
    const whole = bytes('é1\r\nzwei\r\n');
    const cuts = [1, 3, 4, whole.length - 1];
    const chunks = [0, ...cuts].map((from, i) => whole.slice(from, cuts[i] ?? whole.length));
    expect(await linesOf(chunks)).toEqual([
      { text: 'é1', number: 1 },
      { text: 'zwei', number: 2 },
    ]);
  });

  it('reads text chunks as they are', async () => {
    expect((await linesOf(['x\r', '\ny'])).map((l) => l.text)).toEqual(['x', 'y']);
  });

  it('reports bytes that are not UTF-8 with the number of the line being read', async () => {
    const invalidText = (lineNumber: number) => new Error(`bad text at ${lineNumber}`);
    const chunks = [bytes('ok\n'), new Uint8Array([0xff, 0x0a])];
    await expect(linesOf(chunks, { invalidText })).rejects.toThrow('bad text at 2');
  });

  it('refuses a stream once more than maxBytes have come', async () => {
    const tooLarge = (max: number) => new Error(`over ${max}`);
    const chunks = [bytes('12345\n'), bytes('6789\n')];
    await expect(linesOf(chunks, { maxBytes: 8, tooLarge })).rejects.toThrow('over 8');
    expect(await linesOf(chunks, { maxBytes: 11 })).toHaveLength(2);
  });

  it('cancels a web stream its reader stops reading', async () => {
    let cancelled = false;
    const body = new ReadableStream<Uint8Array>({
      pull: (controller) => controller.enqueue(bytes('line\n')),
      cancel: () => {
        cancelled = true;
      },
    });
    for await (const _line of readLines(body)) break;
    expect(cancelled).toBe(true);
  });

  it('names the line holding bytes that are not UTF-8 when one chunk holds many lines', async () => {
    const invalidText = (lineNumber: number) => new Error(`bad text at ${lineNumber}`);
    const chunk = bytes('one\ntwo\nthree\nfour\n');
    chunk[chunk.indexOf(0x72)] = 0xff; // the "r" of "three"
    await expect(linesOf([chunk], { invalidText })).rejects.toThrow('bad text at 3');
  });

  it('drops a byte order mark at the start of the stream only', async () => {
    const lines = await linesOf([bytes('\ufeffa\n\ufeffb\n')]);
    expect(lines.map((l) => l.text)).toEqual(['a', '\ufeffb']);
  });

  it('refuses a line over maxLineBytes as soon as it is, without reading the rest', async () => {
    const chunk = bytes('x'.repeat(1000));
    let pulled = 0;
    function* endless() {
      for (;;) {
        pulled++;
        yield chunk;
      }
    }
    const lineTooLong = (line: number, max: number) => new Error(`line ${line} over ${max}`);
    const reading = (async () => {
      for await (const _line of readLines(endless(), { maxLineBytes: 4500, lineTooLong }));
    })();
    await expect(reading).rejects.toThrow('line 1 over 4500');
    expect(pulled).toBe(5);
    await expect(
      linesOf([bytes('ok\n'), bytes('y'.repeat(11)), bytes('\n')], {
        maxLineBytes: 10,
        lineTooLong,
      }),
    ).rejects.toThrow('line 2 over 10');
    expect(
      await linesOf([bytes('y'.repeat(5)), bytes('y'.repeat(5)), bytes('\r\n')], {
        maxLineBytes: 11,
      }),
    ).toEqual([{ text: 'y'.repeat(10), number: 1 }]);
  });

  it('reads a long line in linear time: each byte scanned once and copied at most once', async () => {
    /** The work of reading one line of `megabytes` MiB sent in 64 KiB chunks, and the line. */
    async function workOfOneLine(megabytes: number) {
      const chunk = bytes('x'.repeat(64 * 1024));
      const chunks = [...Array.from({ length: megabytes * 16 }, () => chunk), bytes('\n')];
      const work = { bytesScanned: 0, bytesCopied: 0 };
      const lines = await linesOf(chunks, { work });
      expect(lines).toHaveLength(1);
      expect(lines[0]!.text.length).toBe(megabytes * 1024 * 1024);
      return work;
    }
    const small = await workOfOneLine(8);
    const large = await workOfOneLine(32);
    const size = 32 * 1024 * 1024;
    expect(large).toEqual({ bytesScanned: size + 1, bytesCopied: size });
    expect(large.bytesScanned / small.bytesScanned).toBeCloseTo(4, 5);
    expect(large.bytesCopied / small.bytesCopied).toBe(4);
  });

  it('copies nothing to read lines that each arrive within one chunk', async () => {
    const work = { bytesScanned: 0, bytesCopied: 0 };
    const lines = await linesOf([bytes('a\nbb\n'), bytes('ccc\n')], { work });
    expect(lines.map((l) => l.text)).toEqual(['a', 'bb', 'ccc']);
    expect(work).toEqual({ bytesScanned: 9, bytesCopied: 0 });
  });
});
