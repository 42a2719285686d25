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
});
